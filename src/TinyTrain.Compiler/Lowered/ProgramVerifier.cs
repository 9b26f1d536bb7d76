namespace TinyTrain.Compiler.Lowered;

/// <summary>
/// The invariants every lowered program keeps, checked after lowering and planning (our bugs, not the user's: a
/// violation throws <see cref="InvalidOperationException"/> naming the call and tensor). Calls name tensors that exist;
/// constants are never written; an arena tensor is written before it is read; every use lies in its tensor's
/// lifetime; arena tensors fit the arena; and two arena tensors share bytes only when their lifetimes do not overlap,
/// or touch at the one call that reads the first and writes the second in place.
/// </summary>
public static class ProgramVerifier
{
    public static void ThrowIfInvalid(Program program)
    {
        var tensors = program.Tensors;
        var written = new bool[tensors.Length];
        foreach (var id in program.Inputs) written[Check(program, id, "input")] = true;
        for (var i = 0; i < program.Calls.Length; i++)
        {
            var call = program.Calls[i];
            foreach (var id in call.Reads)
            {
                var t = tensors[Check(program, id, call.Name)];
                if (t.Placement == TensorPlacement.Arena && !written[id])
                    Fail(program, $"call {i} ({call.Name}) reads {t.Name} before any call writes it");
                InLifetime(program, t, i, call.Name);
            }
            foreach (var id in call.Writes)
            {
                var t = tensors[Check(program, id, call.Name)];
                if (t.Placement == TensorPlacement.Constant) Fail(program, $"call {i} ({call.Name}) writes the constant {t.Name}");
                InLifetime(program, t, i, call.Name);
                written[id] = true;
            }
        }

        var arena = tensors.Where(t => t.Placement != TensorPlacement.Constant).ToList();
        foreach (var t in arena)
        {
            if (t.Offset < 0 || (long)t.Offset + t.Bytes > program.ArenaBytes)
                Fail(program, $"{t.Name} ({t.Bytes} B at {t.Offset}) lies outside the {program.ArenaBytes} B arena");
        }
        // Sorted by offset, each tensor is compared with the later-starting ones its bytes reach.
        var byOffset = arena.Where(t => t.Bytes > 0).OrderBy(t => t.Offset).ToList();
        for (var a = 0; a < byOffset.Count; a++)
        {
            for (var b = a + 1; b < byOffset.Count && byOffset[b].Offset < byOffset[a].Offset + byOffset[a].Bytes; b++)
            {
                var (x, y) = (byOffset[a], byOffset[b]);
                var overlap = Math.Min(x.LastUse, y.LastUse) - Math.Max(x.FirstUse, y.FirstUse);
                var inPlace = overlap == 0 && x.Offset == y.Offset && (x.LastUse == y.FirstUse || y.LastUse == x.FirstUse);
                if (overlap >= 0 && !inPlace)
                    Fail(program, $"{x.Name} (calls {x.FirstUse}..{x.LastUse}) and {y.Name} (calls {y.FirstUse}..{y.LastUse}) share arena bytes");
            }
        }
    }

    private static int Check(Program program, int id, string user)
    {
        if (id < 0 || id >= program.Tensors.Length) Fail(program, $"{user} names tensor {id} of {program.Tensors.Length}");
        return id;
    }

    private static void InLifetime(Program program, ProgramTensor t, int call, string name)
    {
        if (t.Placement == TensorPlacement.Arena && (call < t.FirstUse || call > t.LastUse))
            Fail(program, $"call {call} ({name}) uses {t.Name} outside its lifetime {t.FirstUse}..{t.LastUse}");
    }

    private static void Fail(Program program, string message) => throw new InvalidOperationException($"{program.Name}: invalid program: {message}");
}
