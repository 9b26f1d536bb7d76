using TinyTrain.Kernels;

namespace TinyTrain.Compiler.Lowered;

/// <summary>
/// A Conv2D whose only reader is a DepthwiseConv2D, run a few channels at a time (<c>ConvDepthwise</c>): the conv's output
/// exists only as <see cref="Planes"/>, a scratch of <c>ConvDepthwise.Group</c> channel planes. Frozen layers only: neither
/// op keeps a clamp mask or has a gradient.
/// </summary>
public sealed record ConvDepthwiseCall(string Name, Conv2DParams Conv, DepthwiseConv2DParams Depthwise, int Input, int ConvFilter, int ConvBias,
    int DepthwiseFilter, int DepthwiseBias, int Planes, int Output) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => new[] { Input, ConvFilter, ConvBias, DepthwiseFilter, DepthwiseBias }.Where(id => id >= 0);
    public override IEnumerable<int> Writes => [Planes, Output];
    public override long Macs => Conv.Macs + Depthwise.Macs;
    public override bool Int8Macs => true;

    public override void Run(IKernelHost h)
    {
        if (h.Packed is ConvDepthwisePackedFilters packed)
            ConvDepthwise.ForwardPacked(Conv, Depthwise, packed, h.SBytes(Input), h.Int32s(ConvBias), h.SBytes(DepthwiseFilter),
                h.Int32s(DepthwiseBias), h.WritableSBytes(Planes), h.WritableSBytes(Output));
        else
            h.Kernels.ConvDepthwiseForward(Conv, Depthwise, h.SBytes(Input), h.SBytes(ConvFilter), h.Int32s(ConvBias),
                h.SBytes(DepthwiseFilter), h.Int32s(DepthwiseBias), h.WritableSBytes(Planes), h.WritableSBytes(Output));
    }

    public override string C(ICallEmitter c) =>
        $"tt_conv_depthwise_forward({c.Params(Conv, "_conv")}, {c.Params(Depthwise, "_depthwise")}, {c.Tensor(Input)}, {c.Tensor(ConvFilter)}, {c.Tensor(ConvBias)}, " +
        $"{c.Tensor(DepthwiseFilter)}, {c.Tensor(DepthwiseBias)}, {c.Tensor(Planes)}, {c.Tensor(Output)});";
}
