using System.Collections.Immutable;
using TinyTrain.Compiler.Lowered;
using TinyTrain.Ir;
using TinyTrain.Kernels;

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
        if (calls[^1] is not FilterGradCall { WindowFunction: not null } call || call.Output != update.Gradient) return null;
        var outputs = call.Outputs;
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
    /// <summary>
    /// A frozen conv directly followed by the depthwise conv that alone reads its output becomes one call that keeps only a
    /// few channel planes of that output (<see cref="ConvDepthwiseCall"/>): in a MobileNet block the expansion's output is
    /// the largest activation of the forward pass. Frozen means no clamp masks: nothing takes a gradient through them.
    /// </summary>
    private void FuseConvDepthwise()
    {
        if (!options.FuseConvDepthwise) return;
        var outputs = graph.Outputs.Select(n => tensorOf[n]).ToHashSet();
        var readers = new Dictionary<int, int>();
        foreach (var call in calls)
        {
            foreach (var id in call.Reads) readers[id] = readers.GetValueOrDefault(id) + 1;
        }
        for (var i = 0; i + 1 < calls.Count; i++)
        {
            if (calls[i] is not Conv2DCall { Mask: < 0 } conv || calls[i + 1] is not DepthwiseConv2DCall { Mask: < 0 } depthwise) continue;
            if (depthwise.Input != conv.Output || depthwise.Params.DepthMultiplier != 1 || readers.GetValueOrDefault(conv.Output) != 1
                || outputs.Contains(conv.Output) || tensors[conv.Output].Data is not null) continue;
            var planes = conv.Output;
            tensors[planes] = tensors[planes] with { Name = tensors[planes].Name + ".planes", Bytes = ConvDepthwise.PlanesLength(conv.Params) };
            calls[i] = new ConvDepthwiseCall($"{conv.Name}+{depthwise.Name}", conv.Params, depthwise.Params, conv.Input, conv.Filter, conv.Bias,
                depthwise.Filter, depthwise.Bias, planes, depthwise.Output);
            calls.RemoveAt(i + 1);
        }
    }

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

    /// <summary>Sliced filters: the flash tensor holding the whole original filter, and the trained channels.</summary>
    private readonly Dictionary<Node, (int Frozen, ImmutableArray<int> Channels)> sliced = [];

    /// <summary>The trained input channels of an int8 filter when they are only some of them and slicing is on.</summary>
    private ImmutableArray<int>? TrainedChannels(Node filter, Node update)
    {
        var channels = update.AttrsAs<SgdUpdateAttrs>().Channels;
        return options.SliceTrainedWeights && filter.Type.DType == DType.Int8 && !channels.IsEmpty && channels.Length < filter.Shape[-1]
            ? channels : null;
    }

    /// <summary>The filter stays whole in flash; its trained channels become a persistent [rows, k] slice in SRAM.</summary>
    private void NewSlice(Node filter, ImmutableArray<int> channels)
    {
        var frozen = NewTensor(filter, filter.ConstantData);
        var whole = filter.ConstantData.As<sbyte>();
        var slice = new sbyte[whole.Length / filter.Shape[-1] * channels.Length];
        SliceMerge.Extract(whole, channels.AsSpan(), filter.Shape[-1], slice);
        tensors.Add(new TensorSpec($"{filter.Name}.trained", DType.Int8, slice.Length, TensorData.From(slice), Persistent: true));
        tensorOf[filter] = tensors.Count - 1;
        sliced[filter] = (frozen, channels);
    }

    /// <summary>
    /// The filter operand of a call that reads the whole filter (a forward op or an input gradient): a sliced filter
    /// is merged into a tensor that lives for that call only.
    /// </summary>
    internal int Filter(Node node)
    {
        var filter = node.Input(1);
        if (!sliced.TryGetValue(filter, out var s)) return Operand(node, 1);
        tensors.Add(new TensorSpec($"{node.Name}.filter", DType.Int8, (int)filter.Type.SizeInBytes, null, Persistent: false));
        var merged = tensors.Count - 1;
        calls.Add(new SliceMergeCall($"{node.Name}.filter", s.Frozen, tensorOf[filter], s.Channels, merged));
        return merged;
    }
}
