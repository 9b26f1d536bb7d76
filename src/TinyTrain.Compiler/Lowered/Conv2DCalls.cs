using System.Collections.Immutable;
using TinyTrain.Compiler.Lowering;
using TinyTrain.Ir;
using TinyTrain.Kernels;
using static TinyTrain.Compiler.Lowered.ConvLikeLowering;

namespace TinyTrain.Compiler.Lowered;

/// <summary>Bias is -1 when the op has none; Mask (-1: none) receives the 1-bit clamp mask for the backward pass.</summary>
public sealed record Conv2DCall(string Name, Conv2DParams Params, int Input, int Filter, int Bias, int Output, int Mask = -1) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => Bias < 0 ? [Input, Filter] : [Input, Filter, Bias];
    public override IEnumerable<int> Writes => Mask < 0 ? [Output] : [Output, Mask];
    public override long Macs => Params.Macs;
    public override bool Int8Macs => true;

    public override void Run(IKernelHost h)
    {
        if (Mask >= 0) h.Kernels.Conv2DForwardWithMask(Params, h.SBytes(Input), h.SBytes(Filter), h.Int32s(Bias), h.WritableSBytes(Output), h.WritableBytes(Mask));
        else if (h.Packed is Conv2DPackedFilter packed) Conv2D.ForwardPacked(Params, packed, h.SBytes(Input), h.Int32s(Bias), h.WritableSBytes(Output));
        else h.Kernels.Conv2DForward(Params, h.SBytes(Input), h.SBytes(Filter), h.Int32s(Bias), h.WritableSBytes(Output));
    }

    public override string C(ICallEmitter c) =>
        $"tt_conv2d_forward{WithMask(Mask)}({c.Params(Params)}, {c.Tensor(Input)}, {c.Tensor(Filter)}, {c.Tensor(Bias)}, {c.Tensor(Output)}{MaskArg(c, Mask)});";
}

public sealed record FloatConv2DCall(string Name, Conv2DParams Params, int Input, int Filter, int Bias, int Output, float Min, float Max, int Mask)
    : FloatConvCall(Name, Input, Filter, Bias, Output, Min, Max, Mask)
{
    public override long Macs => Params.Macs;

    public override void Run(IKernelHost h) =>
        KernelSet.Fast.Conv2DForwardFloat(Params, h.Floats(Input), h.Floats(Filter), h.Floats(Bias), h.WritableFloats(Output), Min, Max, FloatMask(h, Mask));

    public override string C(ICallEmitter c) => C(c, "conv2d", Params);
}

public sealed record Conv2DInputGradCall(string Name, Conv2DParams Params, int Gradient, int Filter, int Output, bool Float) : InputGradCall(Name, Gradient, Filter, Output, Float)
{
    public override long Macs => Params.Macs;

    public override void Run(IKernelHost h)
    {
        if (Float) h.Kernels.Conv2DInputGrad(Params, h.Floats(Gradient), h.Floats(Filter), h.WritableFloats(Output));
        else h.Kernels.Conv2DInputGrad(Params, h.Floats(Gradient), h.SBytes(Filter), h.WritableFloats(Output));
    }

    public override string C(ICallEmitter c) => C(c, "conv2d", Params);
}

public sealed record Conv2DFilterGradCall(string Name, Conv2DParams Params, int Input, int Gradient, ImmutableArray<int> Channels, int Output, bool Float)
    : FilterGradCall(Name, Input, Gradient, Channels, Output, Float)
{
    public override long Macs => Params.Macs / Params.InputC * Channels.Length; // one product per trained filter element and output pixel
    public override int Outputs => Params.OutputC;
    public override object Parameters => Params;
    public override string? WindowFunction => Float ? "tt_conv2d_filter_grad_window_float" : "tt_conv2d_filter_grad_window";

    public override void Run(IKernelHost h)
    {
        if (Float) h.Kernels.Conv2DFilterGrad(Params, h.Floats(Input), h.Floats(Gradient), Channels.AsSpan(), h.WritableFloats(Output));
        else h.Kernels.Conv2DFilterGrad(Params, h.SBytes(Input), h.Floats(Gradient), Channels.AsSpan(), h.WritableFloats(Output));
    }

    public override void RunBlock(IKernelHost h, int first, Span<float> grad)
    {
        if (Float) h.Kernels.Conv2DFilterGrad(Params, h.Floats(Input), h.Floats(Gradient), Channels.AsSpan(), grad, first);
        else h.Kernels.Conv2DFilterGrad(Params, h.SBytes(Input), h.Floats(Gradient), Channels.AsSpan(), grad, first);
    }

    public override string C(ICallEmitter c) => C(c, "conv2d");
}

/// <summary>How Conv2D and its gradients become calls, and their kernel parameters (worked out once, ahead of time).</summary>
internal static class Conv2DLowering
{
    public static Conv2DParams Params(Node node)
    {
        var a = node.AttrsAs<Conv2DAttrs>();
        var (x, filter, y) = (node.Input(0), node.Input(1), node);
        return new Conv2DParams(
            x.Shape[1], x.Shape[2], x.Shape[3], y.Shape[1], y.Shape[2], y.Shape[3],
            filter.Shape[1], filter.Shape[2], a.StrideH, a.StrideW, a.DilationH, a.DilationW,
            a.Padding.Top, a.Padding.Left, x.Quant!.ZeroPoint, y.Quant!.ZeroPoint, a.Clamp.Min, a.Clamp.Max,
            PerChannel(a.Requant, x, filter, y, y.Shape[3]));
    }

    /// <summary>The geometry of an fp32 Conv2D: zero points, clamp and requantisation neutral (the fp32 kernels take the clamp apart).</summary>
    public static Conv2DParams FloatParams(Node node)
    {
        var a = node.AttrsAs<Conv2DAttrs>();
        var (x, filter, y) = (node.Input(0), node.Input(1), node);
        return new Conv2DParams(x.Shape[1], x.Shape[2], x.Shape[3], y.Shape[1], y.Shape[2], y.Shape[3], filter.Shape[1], filter.Shape[2],
            a.StrideH, a.StrideW, a.DilationH, a.DilationW, a.Padding.Top, a.Padding.Left, 0, 0, sbyte.MinValue, sbyte.MaxValue, None);
    }

    private static Conv2DParams Geometry(Node forward) => IsFloat(forward) ? FloatParams(forward) : Params(forward);

    [Lowers(nameof(Ops.Conv2D))]
    private static void LowerForward(ProgramLowering l, Node n)
    {
        if (IsFloat(n))
        {
            var (min, max) = FloatClamp(n);
            l.Add(new FloatConv2DCall(n.Name, FloatParams(n), l.Operand(n, 0), l.Operand(n, 1), l.Operand(n, 2), l.NewTensor(n), min, max, l.MaskOf(n)));
        }
        else
        {
            l.Add(new Conv2DCall(n.Name, Params(n), l.Operand(n, 0), l.Filter(n), l.Operand(n, 2), l.NewTensor(n), l.MaskOf(n)));
        }
    }

    [Lowers(nameof(Ops.Conv2DInputGrad))]
    private static void LowerInputGrad(ProgramLowering l, Node n) =>
        l.Add(new Conv2DInputGradCall(n.Name, Geometry(Forward(n)), l.Operand(n, 0), l.Filter(n), l.NewTensor(n), IsFloat(Forward(n))));

    [Lowers(nameof(Ops.Conv2DFilterGrad))]
    private static void LowerFilterGrad(ProgramLowering l, Node n) =>
        l.Add(new Conv2DFilterGradCall(n.Name, Geometry(Forward(n)), l.Operand(n, 0), l.Operand(n, 1), Channels(n), l.NewTensor(n), IsFloat(Forward(n))));
}
