using System.Collections.Immutable;
using TinyTrain.Ir;
using TinyTrain.Kernels;

namespace TinyTrain.Compiler.Lowered;

// Kernel calls of a training step: fp32 forward (an fp32 head), the loss, the backward ops and the updates.
// Gradients are fp32 tensors in the arena; trained parameters and optimiser state are persistent arena tensors.

/// <summary>
/// An fp32 conv-like op (the fp32 mode, or the fp32 head): Params gives the geometry only; the output is clamped to
/// [Min, Max] (infinite for a head) and, with Mask >= 0, the clamp's 1-bit mask is written.
/// </summary>
public sealed record FloatConvCall(string Name, Op Op, object Params, int Input, int Filter, int Bias, int Output, float Min, float Max, int Mask) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => Bias < 0 ? [Input, Filter] : [Input, Filter, Bias];
    public override IEnumerable<int> Writes => Mask < 0 ? [Output] : [Output, Mask];
    public override long Macs => Params switch
    {
        Conv2DParams p => p.Macs,
        DepthwiseConv2DParams p => p.Macs,
        FullyConnectedParams p => p.Macs,
        _ => 0,
    };
}

public sealed record FloatAddCall(string Name, int A, int B, int Output, float Min, float Max, int Mask) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [A, B];
    public override IEnumerable<int> Writes => Mask < 0 ? [Output] : [Output, Mask];
}

public sealed record FloatAveragePool2DCall(string Name, PoolParams Params, int Input, int Output) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [Input];
    public override IEnumerable<int> Writes => [Output];
}

public sealed record DequantizeCall(string Name, float Scale, int ZeroPoint, int Input, int Output) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [Input];
    public override IEnumerable<int> Writes => [Output];
}

/// <summary>Log-softmax + cross-entropy: writes the loss and, when Grad >= 0, d loss / d logits.</summary>
public sealed record SoftmaxCrossEntropyCall(string Name, int Logits, int Label, int Loss, int Grad) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [Logits, Label];
    public override IEnumerable<int> Writes => Grad < 0 ? [Loss] : [Loss, Grad];
}

/// <summary>output = gradient * mask * scales[c] (Mask -1: no mask).</summary>
public sealed record RequantGradCall(string Name, ImmutableArray<float> Scales, int Channels, int Gradient, int Mask, int Output) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => Mask < 0 ? [Gradient] : [Gradient, Mask];
    public override IEnumerable<int> Writes => [Output];
}

/// <summary>Gradient of a Conv2D's input (a transposed convolution) from its accumulator gradient.</summary>
public sealed record Conv2DInputGradCall(string Name, Conv2DParams Params, int Gradient, int Filter, int Output) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [Gradient, Filter];
    public override IEnumerable<int> Writes => [Output];
    public override long Macs => Params.Macs;
}

/// <summary>Gradient of a Conv2D's filter for the trained input channels only.</summary>
public sealed record Conv2DFilterGradCall(string Name, Conv2DParams Params, int Input, int Gradient, ImmutableArray<int> Channels, int Output) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [Input, Gradient];
    public override IEnumerable<int> Writes => [Output];
    public override long Macs => Params.Macs / Params.InputC * Channels.Length; // one product per trained filter element and output pixel
}

/// <summary>Gradient of a DepthwiseConv2D's input (a transposed convolution) from its accumulator gradient.</summary>
public sealed record DepthwiseConv2DInputGradCall(string Name, DepthwiseConv2DParams Params, int Gradient, int Filter, int Output) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [Gradient, Filter];
    public override IEnumerable<int> Writes => [Output];
    public override long Macs => Params.Macs;
}

/// <summary>Gradient of a DepthwiseConv2D's filter for the trained input channels only.</summary>
public sealed record DepthwiseConv2DFilterGradCall(string Name, DepthwiseConv2DParams Params, int Input, int Gradient, ImmutableArray<int> Channels, int Output) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [Input, Gradient];
    public override IEnumerable<int> Writes => [Output];
    public override long Macs => Params.Macs / Params.InputC * Channels.Length;
}

/// <summary>Gradient of a FullyConnected's input (a transposed convolution) from its accumulator gradient.</summary>
public sealed record FullyConnectedInputGradCall(string Name, FullyConnectedParams Params, int Gradient, int Filter, int Output) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [Gradient, Filter];
    public override IEnumerable<int> Writes => [Output];
    public override long Macs => Params.Macs;
}

/// <summary>Gradient of a FullyConnected's filter for the trained input channels only.</summary>
public sealed record FullyConnectedFilterGradCall(string Name, FullyConnectedParams Params, int Input, int Gradient, ImmutableArray<int> Channels, int Output) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [Input, Gradient];
    public override IEnumerable<int> Writes => [Output];
    public override long Macs => Params.Macs / Params.InputDepth * Channels.Length;
}

public sealed record BiasGradCall(string Name, int Channels, int Gradient, int Output) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [Gradient];
    public override IEnumerable<int> Writes => [Output];
}

public sealed record AveragePool2DGradCall(string Name, PoolParams Params, int Gradient, int Output) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [Gradient];
    public override IEnumerable<int> Writes => [Output];
}

public sealed record GradAddCall(string Name, int A, int B, int Output) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [A, B];
    public override IEnumerable<int> Writes => [Output];
}

/// <summary>
/// One SGD step of a parameter slice, in place: the gradient lands on the parameter positions <see cref="Layout"/>
/// names (all of a bias; the trained input channels of a filter), each scaled by its output channel's QAS factor.
/// Master and Momentum are persistent fp32 tensors (-1: none).
/// </summary>
public sealed record SgdUpdateCall(string Name, int Parameter, int Gradient, ImmutableArray<float> Qas, SliceLayout Layout,
    UpdatePolicy Policy, int Master, int Momentum) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => Master < 0 ? [Parameter, Gradient] : [Parameter, Gradient, Master];
    public override IEnumerable<int> Writes => Momentum < 0 ? [Parameter] : [Parameter, Momentum];
}

/// <summary>
/// A filter gradient with its SGD step inside it (paper §3.4, in-place SGD): the gradient of <see cref="Block"/>
/// output channels at a time lands in the gradient call's output, a scratch of one block, and is applied at once,
/// so the whole weight gradient never exists. Gradient is a Conv2D or FullyConnected filter-gradient call;
/// each block's values are bit-identical to the whole gradient's, so the result equals the two calls in turn.
/// </summary>
public sealed record FusedUpdateCall(string Name, KernelCall Gradient, SgdUpdateCall Update, int Outputs, int PerOutput, int Block) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => Gradient.Reads.Concat(Update.Reads).Where(id => id != Update.Gradient).Distinct();
    public override IEnumerable<int> Writes => [.. Update.Writes, Update.Gradient];
    public override long Macs => Gradient.Macs;
}

/// <summary>
/// Rebuilds a partly trained filter for one reader: the frozen filter (flash) with the trained channels (the SRAM
/// slice) written over it, into a short-lived arena tensor.
/// </summary>
public sealed record SliceMergeCall(string Name, int Frozen, int Trained, ImmutableArray<int> Channels, int Output) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [Frozen, Trained];
    public override IEnumerable<int> Writes => [Output];
}
