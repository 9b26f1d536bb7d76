using System.Collections.Immutable;
using TinyTrain.Compiler.Lowered;
using TinyTrain.Ir;
using TinyTrain.Kernels;

namespace TinyTrain.Compiler.Lowering;

internal sealed partial class ProgramLowering
{
    private KernelCall Call(Node node)
    {
        var name = node.Name;
        if (node.Type.DType == DType.Float32 && node.Kind is OpKind.Conv2D or OpKind.DepthwiseConv2D or OpKind.FullyConnected or OpKind.Add or OpKind.AveragePool2D)
            return FloatCall(node);
        switch (node.Kind)
        {
            case OpKind.Conv2D:
                return new Conv2DCall(name, KernelParamsBuilder.Conv2D(node), Operand(node, 0), Filter(node), Operand(node, 2), NewTensor(node), MaskOf(node));
            case OpKind.DepthwiseConv2D:
                return new DepthwiseConv2DCall(name, KernelParamsBuilder.DepthwiseConv2D(node), Operand(node, 0), Filter(node), Operand(node, 2), NewTensor(node), MaskOf(node));
            case OpKind.FullyConnected:
                return new FullyConnectedCall(name, KernelParamsBuilder.FullyConnected(node), Operand(node, 0), Filter(node), Operand(node, 2), NewTensor(node), MaskOf(node));
            case OpKind.Add:
                return new AddCall(name, KernelParamsBuilder.Add(node), Operand(node, 0), Operand(node, 1), NewTensor(node), MaskOf(node));
            case OpKind.AveragePool2D:
                return new AveragePool2DCall(name, KernelParamsBuilder.AveragePool2D(node), Operand(node, 0), NewTensor(node));
            case OpKind.Mean:
                return new MeanCall(name, KernelParamsBuilder.Mean(node), Operand(node, 0), NewTensor(node));
            case OpKind.Softmax:
                return new SoftmaxCall(name, KernelParamsBuilder.Softmax(node), Operand(node, 0), NewTensor(node));
            case OpKind.Pad:
                return new PadCall(name, KernelParamsBuilder.Pad(node), Operand(node, 0), NewTensor(node));
            case OpKind.Dequantize:
                return new DequantizeCall(name, (float)node.Input(0).Quant!.Scale, node.Input(0).Quant!.ZeroPoint, Operand(node, 0), NewTensor(node));
            case OpKind.SoftmaxCrossEntropy:
            {
                var loss = NewTensor(node);
                var grad = users[node.Input(0)].FirstOrDefault(u => u.Kind == OpKind.SoftmaxCrossEntropyGrad) is { } g ? NewTensor(g) : -1;
                return new SoftmaxCrossEntropyCall(name, Operand(node, 0), Operand(node, 1), loss, grad);
            }
            case OpKind.RequantGrad:
                return new RequantGradCall(name, node.AttrsAs<RequantGradAttrs>().Scales, node.Shape[-1], Operand(node, 0), Operand(node, 1), NewTensor(node));
            case OpKind.Conv2DInputGrad:
                return new Conv2DInputGradCall(name, Geometry<Conv2DParams>(Forward(node)), Operand(node, 0), Filter(node), NewTensor(node));
            case OpKind.DepthwiseConv2DInputGrad:
                return new DepthwiseConv2DInputGradCall(name, Geometry<DepthwiseConv2DParams>(Forward(node)), Operand(node, 0), Filter(node), NewTensor(node));
            case OpKind.FullyConnectedInputGrad:
                return new FullyConnectedInputGradCall(name, FullyConnectedGeometry(Forward(node)), Operand(node, 0), Filter(node), NewTensor(node));
            case OpKind.Conv2DFilterGrad:
                return new Conv2DFilterGradCall(name, Geometry<Conv2DParams>(Forward(node)), Operand(node, 0), Operand(node, 1), Channels(node), NewTensor(node));
            case OpKind.DepthwiseConv2DFilterGrad:
                return new DepthwiseConv2DFilterGradCall(name, Geometry<DepthwiseConv2DParams>(Forward(node)), Operand(node, 0), Operand(node, 1), Channels(node), NewTensor(node));
            case OpKind.FullyConnectedFilterGrad:
                return new FullyConnectedFilterGradCall(name, FullyConnectedGeometry(Forward(node)), Operand(node, 0), Operand(node, 1), Channels(node), NewTensor(node));
            case OpKind.BiasGrad:
                return new BiasGradCall(name, node.Shape[0], Operand(node, 0), NewTensor(node));
            case OpKind.AveragePool2DGrad:
                return new AveragePool2DGradCall(name, KernelParamsBuilder.AveragePool2D(node.AttrsAs<PoolGradAttrs>().Forward), Operand(node, 0), NewTensor(node));
            case OpKind.GradAdd:
                return new GradAddCall(name, Operand(node, 0), Operand(node, 1), NewTensor(node));
            default:
                throw new CompilationException($"{node.Name}: no kernel for {node.Kind}");
        }
    }

    /// <summary>The fp32 mode's ops: geometry without requantisation, the clamp in real values.</summary>
    private KernelCall FloatCall(Node node)
    {
        var clamp = node.Attrs switch
        {
            Conv2DAttrs a => a.Clamp,
            DepthwiseConv2DAttrs a => a.Clamp,
            FullyConnectedAttrs a => a.Clamp,
            AddAttrs a => a.Clamp,
            _ => ClampRange.Int8,
        };
        var (min, max) = ClampRange.Real(clamp, node.Quant);
        return node.Kind switch
        {
            OpKind.AveragePool2D => new FloatAveragePool2DCall(node.Name, KernelParamsBuilder.AveragePool2D(node), Operand(node, 0), NewTensor(node)),
            OpKind.Add => new FloatAddCall(node.Name, Operand(node, 0), Operand(node, 1), NewTensor(node), min, max, MaskOf(node)),
            _ => new FloatConvCall(node.Name, node.Kind, KernelParamsBuilder.FloatGeometry(node), Operand(node, 0), Operand(node, 1), Operand(node, 2), NewTensor(node), min, max, MaskOf(node)),
        };
    }

    private static Node Forward(Node grad) => grad.AttrsAs<ConvGradAttrs>().Forward;

    /// <summary>Kernel parameters of a forward op for its backward kernels: the int8 ones, or fp32 geometry.</summary>
    private static T Geometry<T>(Node forward) where T : class => (forward.Type.DType == DType.Float32
        ? KernelParamsBuilder.FloatGeometry(forward)
        : forward.Kind == OpKind.Conv2D ? KernelParamsBuilder.Conv2D(forward) : KernelParamsBuilder.DepthwiseConv2D(forward)) as T
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
