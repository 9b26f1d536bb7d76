using System.Collections.Immutable;
using TinyTrain.Compiler;
using TinyTrain.Compiler.Autodiff;
using TinyTrain.Compiler.Lowered;
using TinyTrain.Formats;

namespace TinyTrain.Tests.Compiler;

/// <summary>The program verifier accepts what the lowering makes and names what a broken program gets wrong.</summary>
public sealed class ProgramVerifierTests
{
    private static readonly Lazy<Program> Mcunet = new(() => Compilation.CompileTraining(
        ModelLoader.Load(TestData.Path("tiny-training", "mcu_models", "mcunet-5fps.pkl")), "paper:49kb", new TrainingOptions(10)).Program.Program);

    private static Program With(Program p, ImmutableArray<ProgramTensor>? tensors = null, ImmutableArray<KernelCall>? calls = null) =>
        new(p.Name, tensors ?? p.Tensors, calls ?? p.Calls, p.ArenaBytes, p.Inputs, p.Outputs);

    [Fact]
    public void A_lowered_training_step_is_valid()
    {
        ProgramVerifier.ThrowIfInvalid(Mcunet.Value); // also run by every lowering; here the sharpest case: reordered, fused, in place
        Assert.Contains(Mcunet.Value.Calls, c => c is FusedUpdateCall);
    }

    [Fact]
    public void A_call_moved_before_the_call_that_writes_its_input_is_refused()
    {
        var p = Mcunet.Value;
        var (first, second) = (p.Calls[0], p.Calls[1]);
        Assert.Contains(second.Reads, id => first.Writes.Contains(id));
        var swapped = p.Calls.SetItem(0, second).SetItem(1, first);
        var e = Assert.Throws<InvalidOperationException>(() => ProgramVerifier.ThrowIfInvalid(With(p, calls: swapped)));
        Assert.Contains(second.Name, e.Message);
    }

    [Fact]
    public void Two_live_tensors_placed_on_the_same_bytes_are_refused()
    {
        var p = Mcunet.Value;
        var arena = p.Tensors.Where(t => t.Placement == TensorPlacement.Arena && t.Bytes > 0).ToList();
        var (a, b) = arena.SelectMany(x => arena.Select(y => (x, y)))
            .First(pair => pair.x.Id < pair.y.Id && pair.x.FirstUse < pair.y.LastUse && pair.y.FirstUse < pair.x.LastUse
                && pair.x.Offset != pair.y.Offset && pair.y.Bytes <= p.ArenaBytes - pair.x.Offset);
        var moved = p.Tensors.SetItem(b.Id, b with { Offset = a.Offset });
        var e = Assert.Throws<InvalidOperationException>(() => ProgramVerifier.ThrowIfInvalid(With(p, tensors: moved)));
        Assert.Contains("share arena bytes", e.Message);
    }

    [Fact]
    public void A_call_writing_a_constant_or_a_tensor_outside_the_arena_is_refused()
    {
        var p = Mcunet.Value;
        var constant = p.Tensors.First(t => t.Placement == TensorPlacement.Constant);
        var writer = p.Calls.Select((c, i) => (c, i)).First(x => x.c is Conv2DCall);
        var bad = p.Calls.SetItem(writer.i, ((Conv2DCall)writer.c) with { Output = constant.Id });
        Assert.Contains("writes the constant", Assert.Throws<InvalidOperationException>(() => ProgramVerifier.ThrowIfInvalid(With(p, calls: bad))).Message);

        var last = p.Tensors.First(t => t.Placement == TensorPlacement.Arena && t.Bytes > 0);
        var outside = p.Tensors.SetItem(last.Id, last with { Offset = p.ArenaBytes - last.Bytes + 1 });
        Assert.Contains("outside the", Assert.Throws<InvalidOperationException>(() => ProgramVerifier.ThrowIfInvalid(With(p, tensors: outside))).Message);
    }
}
