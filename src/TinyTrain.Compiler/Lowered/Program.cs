using System.Collections.Immutable;

namespace TinyTrain.Compiler.Lowered;

/// <summary>
/// The lowered, fully planned step: ordered kernel calls on tensors that live either in one arena of
/// <see cref="ArenaBytes"/> bytes or in constant data. The single hand-off to the host executor and the C emitter.
/// </summary>
public sealed class Program
{
    public Program(string name, ImmutableArray<ProgramTensor> tensors, ImmutableArray<KernelCall> calls, int arenaBytes,
        ImmutableArray<int> inputs, ImmutableArray<int> outputs)
    {
        Name = name;
        Tensors = tensors;
        Calls = calls;
        ArenaBytes = arenaBytes;
        Inputs = inputs;
        Outputs = outputs;
        for (var i = 0; i < tensors.Length; i++)
        {
            if (tensors[i].Id != i) throw new ArgumentException($"tensor {tensors[i].Name} has id {tensors[i].Id} at index {i}");
        }
    }

    public string Name { get; }
    public ImmutableArray<ProgramTensor> Tensors { get; }
    public ImmutableArray<KernelCall> Calls { get; }
    public int ArenaBytes { get; }
    public ImmutableArray<int> Inputs { get; }
    public ImmutableArray<int> Outputs { get; }

    public ProgramTensor Input => Tensors[Inputs.Single()];
    public ProgramTensor Output => Tensors[Outputs.Single()];

    public long Macs => Calls.Sum(c => c.Macs);

    /// <summary>How the arena was laid out, and the most bytes live at one call: no layout can be smaller.</summary>
    public ArenaSummary Arena { get; init; } = new("", 0);

    /// <summary>Bytes of constant data (flash on a device).</summary>
    public long ConstantBytes => Tensors.Where(t => t.Placement == TensorPlacement.Constant).Sum(t => (long)t.Bytes);
}

/// <summary>The planner's winning strategy and the lower bound any layout of the same lifetimes must respect.</summary>
public sealed record ArenaSummary(string Strategy, int LowerBound);
