using System.Collections.Immutable;
using TinyTrain.Compiler.Lowering;
using TinyTrain.Ir;
using TinyTrain.Kernels;
using static TinyTrain.Compiler.Lowered.ConvLikeLowering;

namespace TinyTrain.Compiler.Lowered;

public sealed record FullyConnectedCall(string Name, FullyConnectedParams Params, int Input, int Filter, int Bias, int Output, int Mask = -1) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => Bias < 0 ? [Input, Filter] : [Input, Filter, Bias];
    public override IEnumerable<int> Writes => Mask < 0 ? [Output] : [Output, Mask];
    public override long Macs => Params.Macs;
    public override bool Int8Macs => true;

    public override void Run(IKernelHost h)
    {
        if (Mask >= 0) h.Kernels.FullyConnectedForwardWithMask(Params, h.SBytes(Input), h.SBytes(Filter), h.Int32s(Bias), h.WritableSBytes(Output), h.WritableBytes(Mask));
        else h.Kernels.FullyConnectedForward(Params, h.SBytes(Input), h.SBytes(Filter), h.Int32s(Bias), h.WritableSBytes(Output));
    }

    public override string C(ICallEmitter c) =>
        $"tt_fully_connected_forward{WithMask(Mask)}({c.Params(Params)}, {c.Tensor(Input)}, {c.Tensor(Filter)}, {c.Tensor(Bias)}, {c.Tensor(Output)}{MaskArg(c, Mask)});";
}

public sealed record FloatFullyConnectedCall(string Name, FullyConnectedParams Params, int Input, int Filter, int Bias, int Output, float Min, float Max, int Mask)
    : FloatConvCall(Name, Input, Filter, Bias, Output, Min, Max, Mask)
{
    public override long Macs => Params.Macs;

    public override void Run(IKernelHost h) =>
        KernelSet.Fast.FullyConnectedForwardFloat(Params, h.Floats(Input), h.Floats(Filter), h.Floats(Bias), h.WritableFloats(Output), Min, Max, FloatMask(h, Mask));

    public override string C(ICallEmitter c) => C(c, "fully_connected", Params);
}

public sealed record FullyConnectedInputGradCall(string Name, FullyConnectedParams Params, int Gradient, int Filter, int Output, bool Float)
    : InputGradCall(Name, Gradient, Filter, Output, Float)
{
    public override long Macs => Params.Macs;

    public override void Run(IKernelHost h)
    {
        if (Float) h.Kernels.FullyConnectedInputGrad(Params, h.Floats(Gradient), h.Floats(Filter), h.WritableFloats(Output));
        else h.Kernels.FullyConnectedInputGrad(Params, h.Floats(Gradient), h.SBytes(Filter), h.WritableFloats(Output));
    }

    public override string C(ICallEmitter c) => C(c, "fully_connected", Params);
}

public sealed record FullyConnectedFilterGradCall(string Name, FullyConnectedParams Params, int Input, int Gradient, ImmutableArray<int> Channels, int Output, bool Float)
    : FilterGradCall(Name, Input, Gradient, Channels, Output, Float)
{
    public override long Macs => Params.Macs / Params.InputDepth * Channels.Length;
    public override int Outputs => Params.OutputDepth;
    public override object Parameters => Params;
    public override string? WindowFunction => Float ? "tt_fully_connected_filter_grad_window_float" : "tt_fully_connected_filter_grad_window";

    public override void Run(IKernelHost h)
    {
        if (Float) h.Kernels.FullyConnectedFilterGrad(Params, h.Floats(Input), h.Floats(Gradient), Channels.AsSpan(), h.WritableFloats(Output));
        else h.Kernels.FullyConnectedFilterGrad(Params, h.SBytes(Input), h.Floats(Gradient), Channels.AsSpan(), h.WritableFloats(Output));
    }

    public override void RunBlock(IKernelHost h, int first, Span<float> grad)
    {
        if (Float) h.Kernels.FullyConnectedFilterGrad(Params, h.Floats(Input), h.Floats(Gradient), Channels.AsSpan(), grad, first);
        else h.Kernels.FullyConnectedFilterGrad(Params, h.SBytes(Input), h.Floats(Gradient), Channels.AsSpan(), grad, first);
    }

    public override string C(ICallEmitter c) => C(c, "fully_connected");
}

/// <summary>How FullyConnected and its gradients become calls, and their kernel parameters.</summary>
internal static class FullyConnectedLowering
{
    public static FullyConnectedParams Params(Node node)
    {
        var a = node.AttrsAs<FullyConnectedAttrs>();
        var (x, filter, y) = (node.Input(0), node.Input(1), node);
        var requant = a.Requant == RequantKind.FixedPoint && filter.Quant!.IsPerTensor
            // TFLite's GetQuantizedConvolutionMultipler multiplies the two scales in float32, then widens.
            ? FixedPoint([(double)((float)x.Quant!.Scale * (float)filter.Quant.Scale) / (float)y.Quant!.Scale])
            : PerChannel(a.Requant, x, filter, y, filter.Shape[0]);
        return new FullyConnectedParams(y.Shape[0], filter.Shape[1], filter.Shape[0],
            x.Quant!.ZeroPoint, filter.Quant!.ZeroPoint, y.Quant!.ZeroPoint, a.Clamp.Min, a.Clamp.Max, requant);
    }

    /// <summary>The geometry of an fp32 FullyConnected: zero points, clamp and requantisation neutral.</summary>
    public static FullyConnectedParams FloatParams(Node node)
    {
        var (filter, y) = (node.Input(1), node);
        return new FullyConnectedParams(y.Shape[0], filter.Shape[1], filter.Shape[0], 0, 0, 0, sbyte.MinValue, sbyte.MaxValue, None);
    }

    private static FullyConnectedParams Geometry(Node forward) => IsFloat(forward) ? FloatParams(forward) : Params(forward);

    [Lowers(nameof(Ops.FullyConnected))]
    private static void LowerForward(ProgramLowering l, Node n)
    {
        if (IsFloat(n))
        {
            var (min, max) = FloatClamp(n);
            l.Add(new FloatFullyConnectedCall(n.Name, FloatParams(n), l.Operand(n, 0), l.Operand(n, 1), l.Operand(n, 2), l.NewTensor(n), min, max, l.MaskOf(n)));
        }
        else
        {
            l.Add(new FullyConnectedCall(n.Name, Params(n), l.Operand(n, 0), l.Filter(n), l.Operand(n, 2), l.NewTensor(n), l.MaskOf(n)));
        }
    }

    [Lowers(nameof(Ops.FullyConnectedInputGrad))]
    private static void LowerInputGrad(ProgramLowering l, Node n) =>
        l.Add(new FullyConnectedInputGradCall(n.Name, Geometry(Forward(n)), l.Operand(n, 0), l.Filter(n), l.NewTensor(n), IsFloat(Forward(n))));

    [Lowers(nameof(Ops.FullyConnectedFilterGrad))]
    private static void LowerFilterGrad(ProgramLowering l, Node n) =>
        l.Add(new FullyConnectedFilterGradCall(n.Name, Geometry(Forward(n)), l.Operand(n, 0), l.Operand(n, 1), Channels(n), l.NewTensor(n), IsFloat(Forward(n))));
}
