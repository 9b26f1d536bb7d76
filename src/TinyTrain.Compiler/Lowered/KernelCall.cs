using TinyTrain.Kernels;

namespace TinyTrain.Compiler.Lowered;

/// <summary>
/// One kernel invocation of a lowered program: the op's precomputed parameters and the ids of the
/// program tensors it reads and writes. The host executor and the C emitter both consume exactly these.
/// </summary>
public abstract record KernelCall(string Name)
{
    public abstract IEnumerable<int> Reads { get; }
    public abstract IEnumerable<int> Writes { get; }
    public virtual long Macs => 0;
}

/// <summary>Bias is -1 when the op has none; Mask (-1: none) receives the 1-bit clamp mask for the backward pass.</summary>
public sealed record Conv2DCall(string Name, Conv2DParams Params, int Input, int Filter, int Bias, int Output, int Mask = -1) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => Bias < 0 ? [Input, Filter] : [Input, Filter, Bias];
    public override IEnumerable<int> Writes => Mask < 0 ? [Output] : [Output, Mask];
    public override long Macs => Params.Macs;
}

public sealed record DepthwiseConv2DCall(string Name, DepthwiseConv2DParams Params, int Input, int Filter, int Bias, int Output, int Mask = -1) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => Bias < 0 ? [Input, Filter] : [Input, Filter, Bias];
    public override IEnumerable<int> Writes => Mask < 0 ? [Output] : [Output, Mask];
    public override long Macs => Params.Macs;
}

public sealed record FullyConnectedCall(string Name, FullyConnectedParams Params, int Input, int Filter, int Bias, int Output, int Mask = -1) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => Bias < 0 ? [Input, Filter] : [Input, Filter, Bias];
    public override IEnumerable<int> Writes => Mask < 0 ? [Output] : [Output, Mask];
    public override long Macs => Params.Macs;
}

public sealed record AddCall(string Name, AddParams Params, int A, int B, int Output, int Mask = -1) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [A, B];
    public override IEnumerable<int> Writes => Mask < 0 ? [Output] : [Output, Mask];
}

public sealed record AveragePool2DCall(string Name, PoolParams Params, int Input, int Output) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [Input];
    public override IEnumerable<int> Writes => [Output];
}

public sealed record MeanCall(string Name, MeanParams Params, int Input, int Output) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [Input];
    public override IEnumerable<int> Writes => [Output];
}

public sealed record SoftmaxCall(string Name, SoftmaxParams Params, int Input, int Output) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [Input];
    public override IEnumerable<int> Writes => [Output];
}

public sealed record PadCall(string Name, PadParams Params, int Input, int Output) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [Input];
    public override IEnumerable<int> Writes => [Output];
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
}
