using System.Collections.Immutable;
using TinyTrain.Compiler.Lowered;
using TinyTrain.Ir;
using TinyTrain.Kernels;

namespace TinyTrain.Compiler.Lowering;

internal sealed partial class ProgramLowering
{
    /// <summary>
    /// How each op becomes calls (or a view, or state): the lowering table. An op missing here has no kernel.
    /// Ops run in topological order, so an op's operands have their tensors when it is visited.
    /// </summary>
    private static readonly Dictionary<Op, Action<ProgramLowering, Node>> Lowerings = new()
    {
        [Ops.Input] = (l, n) => l.NewTensor(n),
        [Ops.Constant] = (l, n) => l.Constant(n),
        [Ops.Reshape] = (l, n) => l.tensorOf[n] = l.tensorOf[n.Input(0)], // a view
        [Ops.ClampMask] = (l, n) => l.WrittenByItsOp(n),
        [Ops.SoftmaxCrossEntropyGrad] = (l, n) => l.WrittenByItsOp(n),
        [Ops.SgdUpdate] = (l, n) => l.SgdUpdate(n),
        [Ops.Conv2D] = (l, n) => l.Add(n.Type.DType == DType.Float32 ? l.FloatConv(n)
            : new Conv2DCall(n.Name, KernelParamsBuilder.Conv2D(n), l.Operand(n, 0), l.Filter(n), l.Operand(n, 2), l.NewTensor(n), l.MaskOf(n))),
        [Ops.DepthwiseConv2D] = (l, n) => l.Add(n.Type.DType == DType.Float32 ? l.FloatConv(n)
            : new DepthwiseConv2DCall(n.Name, KernelParamsBuilder.DepthwiseConv2D(n), l.Operand(n, 0), l.Filter(n), l.Operand(n, 2), l.NewTensor(n), l.MaskOf(n))),
        [Ops.FullyConnected] = (l, n) => l.Add(n.Type.DType == DType.Float32 ? l.FloatConv(n)
            : new FullyConnectedCall(n.Name, KernelParamsBuilder.FullyConnected(n), l.Operand(n, 0), l.Filter(n), l.Operand(n, 2), l.NewTensor(n), l.MaskOf(n))),
        [Ops.Add] = (l, n) => l.Add(n.Type.DType == DType.Float32
            ? l.FloatAdd(n)
            : new AddCall(n.Name, KernelParamsBuilder.Add(n), l.Operand(n, 0), l.Operand(n, 1), l.NewTensor(n), l.MaskOf(n))),
        [Ops.AveragePool2D] = (l, n) => l.Add(n.Type.DType == DType.Float32
            ? new FloatAveragePool2DCall(n.Name, KernelParamsBuilder.AveragePool2D(n), l.Operand(n, 0), l.NewTensor(n))
            : new AveragePool2DCall(n.Name, KernelParamsBuilder.AveragePool2D(n), l.Operand(n, 0), l.NewTensor(n))),
        [Ops.MaxPool2D] = (l, n) =>
        {
            var (min, max) = ClampRange.Real(n.AttrsAs<MaxPool2DAttrs>().Clamp, n.Quant);
            l.Add(n.Type.DType == DType.Float32
                ? new FloatMaxPool2DCall(n.Name, KernelParamsBuilder.MaxPool2D(n), l.Operand(n, 0), l.NewTensor(n), min, max)
                : new MaxPool2DCall(n.Name, KernelParamsBuilder.MaxPool2D(n), l.Operand(n, 0), l.NewTensor(n)));
        },
        [Ops.MaxPool2DGrad] = (l, n) =>
        {
            var forward = n.AttrsAs<PoolGradAttrs>().Forward;
            var (min, max) = ClampRange.Real(forward.AttrsAs<MaxPool2DAttrs>().Clamp, forward.Quant);
            l.Add(new MaxPool2DGradCall(n.Name, KernelParamsBuilder.MaxPool2D(forward), l.Operand(n, 0), l.Operand(n, 1), l.NewTensor(n),
                forward.Type.DType == DType.Float32, min, max));
        },
        [Ops.Mean] = (l, n) => l.Add(new MeanCall(n.Name, KernelParamsBuilder.Mean(n), l.Operand(n, 0), l.NewTensor(n))),
        [Ops.Softmax] = (l, n) => l.Add(new SoftmaxCall(n.Name, KernelParamsBuilder.Softmax(n), l.Operand(n, 0), l.NewTensor(n))),
        [Ops.Pad] = (l, n) => l.Add(new PadCall(n.Name, KernelParamsBuilder.Pad(n), l.Operand(n, 0), l.NewTensor(n))),
        [Ops.Dequantize] = (l, n) => l.Add(new DequantizeCall(n.Name, (float)n.Input(0).Quant!.Scale, n.Input(0).Quant!.ZeroPoint, l.Operand(n, 0), l.NewTensor(n))),
        [Ops.SoftmaxCrossEntropy] = (l, n) =>
        {
            var loss = l.NewTensor(n);
            var grad = l.users[n.Input(0)].FirstOrDefault(u => u.Op == Ops.SoftmaxCrossEntropyGrad) is { } g ? l.NewTensor(g) : -1;
            l.Add(new SoftmaxCrossEntropyCall(n.Name, l.Operand(n, 0), l.Operand(n, 1), loss, grad));
        },
        [Ops.RequantGrad] = (l, n) => l.Add(new RequantGradCall(n.Name, n.AttrsAs<RequantGradAttrs>().Scales, n.Shape[-1], l.Operand(n, 0), l.Operand(n, 1), l.NewTensor(n))),
        [Ops.Conv2DInputGrad] = (l, n) => l.Add(new Conv2DInputGradCall(n.Name, Geometry<Conv2DParams>(Forward(n)), l.Operand(n, 0), l.Filter(n), l.NewTensor(n), IsFloat(n))),
        [Ops.DepthwiseConv2DInputGrad] = (l, n) => l.Add(new DepthwiseConv2DInputGradCall(n.Name, Geometry<DepthwiseConv2DParams>(Forward(n)), l.Operand(n, 0), l.Filter(n), l.NewTensor(n), IsFloat(n))),
        [Ops.FullyConnectedInputGrad] = (l, n) => l.Add(new FullyConnectedInputGradCall(n.Name, FullyConnectedGeometry(Forward(n)), l.Operand(n, 0), l.Filter(n), l.NewTensor(n), IsFloat(n))),
        [Ops.Conv2DFilterGrad] = (l, n) => l.Add(new Conv2DFilterGradCall(n.Name, Geometry<Conv2DParams>(Forward(n)), l.Operand(n, 0), l.Operand(n, 1), Channels(n), l.NewTensor(n), IsFloat(n))),
        [Ops.DepthwiseConv2DFilterGrad] = (l, n) => l.Add(new DepthwiseConv2DFilterGradCall(n.Name, Geometry<DepthwiseConv2DParams>(Forward(n)), l.Operand(n, 0), l.Operand(n, 1), Channels(n), l.NewTensor(n), IsFloat(n))),
        [Ops.FullyConnectedFilterGrad] = (l, n) => l.Add(new FullyConnectedFilterGradCall(n.Name, FullyConnectedGeometry(Forward(n)), l.Operand(n, 0), l.Operand(n, 1), Channels(n), l.NewTensor(n), IsFloat(n))),
        [Ops.BiasGrad] = (l, n) => l.Add(new BiasGradCall(n.Name, n.Shape[0], l.Operand(n, 0), l.NewTensor(n))),
        [Ops.AveragePool2DGrad] = (l, n) => l.Add(new AveragePool2DGradCall(n.Name, KernelParamsBuilder.AveragePool2D(n.AttrsAs<PoolGradAttrs>().Forward), l.Operand(n, 0), l.NewTensor(n))),
        [Ops.GradAdd] = (l, n) => l.Add(new GradAddCall(n.Name, l.Operand(n, 0), l.Operand(n, 1), l.NewTensor(n))),
    };

    private void Add(KernelCall call) => calls.Add(call);

    /// <summary>A parameter that an SgdUpdate writes is SRAM state initialised from the model; other constants stay in flash.</summary>
    private void Constant(Node node)
    {
        var trained = users[node].FirstOrDefault(u => u.Op == Ops.SgdUpdate);
        if (trained is null) NewTensor(node, node.ConstantData);
        else if (TrainedChannels(node, trained) is { } channels) NewSlice(node, channels);
        else NewTensor(node, node.ConstantData, persistent: true);
    }

    /// <summary>A clamp mask or the loss gradient: written by the call of the op it belongs to, visited earlier.</summary>
    private void WrittenByItsOp(Node node)
    {
        if (!tensorOf.ContainsKey(node)) throw new InvalidOperationException($"{node.Name} was not produced by its op's call");
    }

    private void SgdUpdate(Node node)
    {
        tensorOf[node] = tensorOf[node.Input(0)];
        var update = Update(node);
        if (FusedWithGradient(node, update) is { } fused) calls[^1] = fused;
        else calls.Add(update);
    }

    /// <summary>The fp32 mode's conv-like ops: geometry without requantisation, the clamp in real values.</summary>
    private KernelCall FloatConv(Node node)
    {
        var (min, max) = ClampRange.Real(((ConvLikeOp)node.Op).ClampOf(node.Attrs), node.Quant);
        var (x, filter, bias, output, mask) = (Operand(node, 0), Operand(node, 1), Operand(node, 2), NewTensor(node), MaskOf(node));
        return KernelParamsBuilder.FloatGeometry(node) switch
        {
            Conv2DParams p => new FloatConv2DCall(node.Name, p, x, filter, bias, output, min, max, mask),
            DepthwiseConv2DParams p => new FloatDepthwiseConv2DCall(node.Name, p, x, filter, bias, output, min, max, mask),
            var p => new FloatFullyConnectedCall(node.Name, (FullyConnectedParams)p, x, filter, bias, output, min, max, mask),
        };
    }

    private KernelCall FloatAdd(Node node)
    {
        var (min, max) = ClampRange.Real(node.AttrsAs<AddAttrs>().Clamp, node.Quant);
        return new FloatAddCall(node.Name, Operand(node, 0), Operand(node, 1), NewTensor(node), min, max, MaskOf(node));
    }

    /// <summary>A backward op of an fp32 forward op (the fp32 mode or head) runs the fp32 kernels.</summary>
    private static bool IsFloat(Node grad) => Forward(grad).Type.DType == DType.Float32;

    private static Node Forward(Node grad) => grad.AttrsAs<ConvGradAttrs>().Forward;

    /// <summary>Kernel parameters of a forward op for its backward kernels: the int8 ones, or fp32 geometry.</summary>
    private static T Geometry<T>(Node forward) where T : class => (forward.Type.DType == DType.Float32
        ? KernelParamsBuilder.FloatGeometry(forward)
        : forward.Op == Ops.Conv2D ? KernelParamsBuilder.Conv2D(forward) : KernelParamsBuilder.DepthwiseConv2D(forward)) as T
        ?? throw new InvalidOperationException($"{forward.Name}: no {typeof(T).Name}");

    private static ImmutableArray<int> Channels(Node grad) => grad.AttrsAs<ConvGradAttrs>().Channels;

    private static FullyConnectedParams FullyConnectedGeometry(Node forward) => forward.Type.DType == DType.Float32
        ? (FullyConnectedParams)KernelParamsBuilder.FloatGeometry(forward)
        : KernelParamsBuilder.FullyConnected(forward);

    /// <summary>
    /// An SGD step on the parameter's persistent tensor. A weight gradient is [outer, k] for k trained channels of the
    /// parameter's innermost axis; its QAS factor is the output channel's, i.e. one per outer block of a conv or FC
    /// filter, and the channel itself for a depthwise filter (channel innermost). Master copies and velocities are
    /// persistent fp32.
    /// </summary>
    private SgdUpdateCall Update(Node node)
    {
        var a = node.AttrsAs<SgdUpdateAttrs>();
        var (parameter, gradient) = (node.Input(0), node.Input(1));
        var gradientElements = (int)gradient.Shape.Elements;
        var depthwise = parameter.Shape[0] == 1 && parameter.Shape.Rank == 4; // channel innermost: its own QAS factor
        var qas = a.Qas;
        SliceLayout layout;
        if (sliced.ContainsKey(parameter))
        {
            // The SRAM slice is laid out like the gradient: element e updates slice element e.
            var k = a.Channels.Length;
            layout = new SliceLayout(k, [.. Enumerable.Range(0, k)], QasStride: depthwise ? 0 : gradientElements / a.Qas.Length);
            if (depthwise) qas = [.. a.Channels.Select(c => a.Qas[c])];
        }
        else
        {
            layout = a.Channels.IsEmpty ? SliceLayout.Vector : new SliceLayout(parameter.Shape[-1], [.. a.Channels], QasStride: depthwise ? 0 : gradientElements / a.Qas.Length);
        }
        var state = tensors[tensorOf[parameter]];
        var master = a.Policy == UpdatePolicy.Master && parameter.Type.DType != DType.Float32
            ? NewState($"{parameter.Name}.master", DType.Float32, state.Bytes / state.Type.SizeInBytes() * 4, FloatCopy(state.Data!))
            : -1;
        var velocity = momentum > 0 ? NewState($"{parameter.Name}.velocity", DType.Float32, gradientElements * 4, Zeros(gradientElements)) : -1;
        return new SgdUpdateCall(node.Name, tensorOf[parameter], tensorOf[gradient], qas, layout, a.Policy, master, velocity);
    }
}
