using TinyTrain.Compiler.Lowered;
using TinyTrain.Ir;

namespace TinyTrain.Compiler.Lowering;

// The lowering's memory passes (MemoryOptions): fused updates and in-place elementwise ops.
internal sealed partial class ProgramLowering
{
    /// <summary>
    /// The update fused into the filter-gradient call just emitted, when the schedule put them side by side and the
    /// gradient has no other reader: the gradient tensor shrinks to one block of output channels.
    /// </summary>
    private FusedUpdateCall? FusedWithGradient(Node node, SgdUpdateCall update)
    {
        var gradient = node.Input(1);
        if (!options.FuseUpdates || calls.Count == 0 || users[gradient].Length != 1) return null;
        var (outputs, call) = calls[^1] switch
        {
            Conv2DFilterGradCall c when c.Output == update.Gradient => (c.Params.OutputC, (KernelCall)c),
            FullyConnectedFilterGradCall c when c.Output == update.Gradient => (c.Params.OutputDepth, c),
            _ => (0, null),
        };
        if (call is null) return null;
        var perOutput = (int)(gradient.Shape.Elements / outputs);
        var block = Math.Clamp(options.FusedBlockBytes / (perOutput * sizeof(float)), 1, outputs);
        tensors[update.Gradient] = tensors[update.Gradient] with { Bytes = block * perOutput * sizeof(float) };
        return new FusedUpdateCall(update.Name, call, update, outputs, perOutput, block);
    }

    /// <summary>
    /// Buffers that may share bytes: an elementwise op (requantisation gradient, gradient sum) whose operand dies at
    /// that op writes over it. The operand must be an arena tensor of the same size that no later call reads; a sum
    /// takes over whichever operand dies there (adding is commutative, so swapping them changes no bit).
    /// </summary>
    private List<(int Operand, int Output)> InPlacePairs(int[] last, HashSet<int> pinned)
    {
        var pairs = new List<(int, int)>();
        if (!options.InPlace) return pairs;
        bool Dies(int id, int call, int output) =>
            id >= 0 && last[id] == call && !pinned.Contains(id) && tensors[id].Data is null && tensors[id].Bytes == tensors[output].Bytes;
        for (var i = 0; i < calls.Count; i++)
        {
            switch (calls[i])
            {
                case RequantGradCall c when Dies(c.Gradient, i, c.Output):
                    pairs.Add((c.Gradient, c.Output));
                    break;
                case GradAddCall c when Dies(c.A, i, c.Output) && c.A != c.B:
                    pairs.Add((c.A, c.Output));
                    break;
                case GradAddCall c when Dies(c.B, i, c.Output) && c.A != c.B:
                    calls[i] = c with { A = c.B, B = c.A }; // the executor writes A's values into the output first
                    pairs.Add((c.B, c.Output));
                    break;
            }
        }
        return pairs;
    }
}
