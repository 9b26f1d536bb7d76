using TinyTrain.Kernels;

namespace TinyTrain.Compiler.Lowered;

/// <summary>
/// One kernel invocation of a lowered program: the op's precomputed parameters and the ids of the program tensors it
/// reads and writes. Each call kind binds its host kernel (<see cref="Run"/>) and its C function (<see cref="C"/>)
/// side by side, so the executor and the C emitter both run exactly what the record says and cannot drift apart.
/// </summary>
public abstract record KernelCall(string Name)
{
    public abstract IEnumerable<int> Reads { get; }
    public abstract IEnumerable<int> Writes { get; }
    public virtual long Macs => 0;

    /// <summary>Whether the MACs are int8 products (the forward convolutions) rather than fp32 ones.</summary>
    public virtual bool Int8Macs => false;

    /// <summary>The host binding: the C# kernel on the executor's tensors.</summary>
    public abstract void Run(IKernelHost h);

    /// <summary>The C binding: the runtime function tinytrain.h declares for it, as one C statement.</summary>
    public abstract string C(ICallEmitter c);

    /// <summary>The kernel's name in profiles: the op, and the arithmetic where an op has two.</summary>
    public virtual string Kernel => GetType().Name.Replace("Call", "", StringComparison.Ordinal);

    protected static string WithMask(int mask) => mask >= 0 ? "_with_mask" : "";
    protected static string MaskArg(ICallEmitter c, int mask) => mask >= 0 ? ", " + c.Tensor(mask) : "";
}

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

public sealed record DepthwiseConv2DCall(string Name, DepthwiseConv2DParams Params, int Input, int Filter, int Bias, int Output, int Mask = -1) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => Bias < 0 ? [Input, Filter] : [Input, Filter, Bias];
    public override IEnumerable<int> Writes => Mask < 0 ? [Output] : [Output, Mask];
    public override long Macs => Params.Macs;
    public override bool Int8Macs => true;

    public override void Run(IKernelHost h)
    {
        if (Mask >= 0) h.Kernels.DepthwiseConv2DForwardWithMask(Params, h.SBytes(Input), h.SBytes(Filter), h.Int32s(Bias), h.WritableSBytes(Output), h.WritableBytes(Mask));
        else if (h.Packed is DepthwiseConv2DPackedFilter packed) DepthwiseConv2D.ForwardPacked(Params, packed, h.SBytes(Input), h.Int32s(Bias), h.WritableSBytes(Output));
        else h.Kernels.DepthwiseConv2DForward(Params, h.SBytes(Input), h.SBytes(Filter), h.Int32s(Bias), h.WritableSBytes(Output));
    }

    public override string C(ICallEmitter c) =>
        $"tt_depthwise_conv2d_forward{WithMask(Mask)}({c.Params(Params)}, {c.Tensor(Input)}, {c.Tensor(Filter)}, {c.Tensor(Bias)}, {c.Tensor(Output)}{MaskArg(c, Mask)});";
}

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

public sealed record AddCall(string Name, AddParams Params, int A, int B, int Output, int Mask = -1) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [A, B];
    public override IEnumerable<int> Writes => Mask < 0 ? [Output] : [Output, Mask];

    public override void Run(IKernelHost h)
    {
        if (Mask >= 0) h.Kernels.AddForwardWithMask(Params, h.SBytes(A), h.SBytes(B), h.WritableSBytes(Output), h.WritableBytes(Mask));
        else h.Kernels.AddForward(Params, h.SBytes(A), h.SBytes(B), h.WritableSBytes(Output));
    }

    public override string C(ICallEmitter c) =>
        $"tt_add_forward{WithMask(Mask)}({c.Params(Params)}, {c.Tensor(A)}, {c.Tensor(B)}, {c.Tensor(Output)}{MaskArg(c, Mask)});";
}

public sealed record AveragePool2DCall(string Name, PoolParams Params, int Input, int Output) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [Input];
    public override IEnumerable<int> Writes => [Output];
    public override void Run(IKernelHost h) => AveragePool2D.Forward(Params, h.SBytes(Input), h.WritableSBytes(Output));
    public override string C(ICallEmitter c) => $"tt_average_pool2d_forward({c.Params(Params)}, {c.Tensor(Input)}, {c.Tensor(Output)});";
}

public sealed record MeanCall(string Name, MeanParams Params, int Input, int Output) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [Input];
    public override IEnumerable<int> Writes => [Output];
    public override void Run(IKernelHost h) => Mean.Forward(Params, h.SBytes(Input), h.WritableSBytes(Output));
    public override string C(ICallEmitter c) => $"tt_mean_forward({c.Params(Params)}, {c.Tensor(Input)}, {c.Tensor(Output)});";
}

public sealed record SoftmaxCall(string Name, SoftmaxParams Params, int Input, int Output) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [Input];
    public override IEnumerable<int> Writes => [Output];
    public override void Run(IKernelHost h) => Softmax.Forward(Params, h.SBytes(Input), h.WritableSBytes(Output));
    public override string C(ICallEmitter c) => $"tt_softmax_forward({c.Params(Params)}, {c.Tensor(Input)}, {c.Tensor(Output)});";
}

public sealed record PadCall(string Name, PadParams Params, int Input, int Output) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [Input];
    public override IEnumerable<int> Writes => [Output];
    public override void Run(IKernelHost h) => Pad.Forward(Params, h.SBytes(Input), h.WritableSBytes(Output));
    public override string C(ICallEmitter c) => $"tt_pad_forward({c.Params(Params)}, {c.Tensor(Input)}, {c.Tensor(Output)});";
}

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
