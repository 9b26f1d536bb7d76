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
public abstract record FloatConvCall(string Name, int Input, int Filter, int Bias, int Output, float Min, float Max, int Mask) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => Bias < 0 ? [Input, Filter] : [Input, Filter, Bias];
    public override IEnumerable<int> Writes => Mask < 0 ? [Output] : [Output, Mask];
    public override string Kernel => $"{base.Kernel.Replace("Float", "", StringComparison.Ordinal)} (fp32)";

    /// <summary>
    /// The clamp mask to write, or none. The fp32 forwards run the fast kernels whatever the host's set, as they always
    /// have: the conv's and the fully connected layer's SIMD sums differ from the reference loops by rounding.
    /// </summary>
    protected static Span<byte> FloatMask(IKernelHost h, int mask) => mask >= 0 ? h.WritableBytes(mask) : default;

    protected string C(ICallEmitter c, string op, object parameters) =>
        $"tt_{op}_forward_float{WithMask(Mask)}({c.Params(parameters)}, {c.Tensor(Input)}, {c.Tensor(Filter)}, {c.Tensor(Bias)}, {c.Tensor(Output)}, " +
        $"{CLiterals.Float(Min)}, {CLiterals.Float(Max)}{MaskArg(c, Mask)});";
}

public sealed record FloatConv2DCall(string Name, Conv2DParams Params, int Input, int Filter, int Bias, int Output, float Min, float Max, int Mask)
    : FloatConvCall(Name, Input, Filter, Bias, Output, Min, Max, Mask)
{
    public override long Macs => Params.Macs;

    public override void Run(IKernelHost h) =>
        KernelSet.Fast.Conv2DForwardFloat(Params, h.Floats(Input), h.Floats(Filter), h.Floats(Bias), h.WritableFloats(Output), Min, Max, FloatMask(h, Mask));

    public override string C(ICallEmitter c) => C(c, "conv2d", Params);
}

public sealed record FloatDepthwiseConv2DCall(string Name, DepthwiseConv2DParams Params, int Input, int Filter, int Bias, int Output, float Min, float Max, int Mask)
    : FloatConvCall(Name, Input, Filter, Bias, Output, Min, Max, Mask)
{
    public override long Macs => Params.Macs;

    public override void Run(IKernelHost h) =>
        KernelSet.Fast.DepthwiseConv2DForwardFloat(Params, h.Floats(Input), h.Floats(Filter), h.Floats(Bias), h.WritableFloats(Output), Min, Max, FloatMask(h, Mask));

    public override string C(ICallEmitter c) => C(c, "depthwise_conv2d", Params);
}

public sealed record FloatFullyConnectedCall(string Name, FullyConnectedParams Params, int Input, int Filter, int Bias, int Output, float Min, float Max, int Mask)
    : FloatConvCall(Name, Input, Filter, Bias, Output, Min, Max, Mask)
{
    public override long Macs => Params.Macs;

    public override void Run(IKernelHost h) =>
        KernelSet.Fast.FullyConnectedForwardFloat(Params, h.Floats(Input), h.Floats(Filter), h.Floats(Bias), h.WritableFloats(Output), Min, Max, FloatMask(h, Mask));

    public override string C(ICallEmitter c) => C(c, "fully_connected", Params);
}

public sealed record FloatAddCall(string Name, int A, int B, int Output, float Min, float Max, int Mask) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [A, B];
    public override IEnumerable<int> Writes => Mask < 0 ? [Output] : [Output, Mask];

    public override void Run(IKernelHost h)
    {
        if (Mask >= 0) Add.ForwardFloatWithMask(h.Floats(A), h.Floats(B), h.WritableFloats(Output), Min, Max, h.WritableBytes(Mask));
        else Add.ForwardFloat(h.Floats(A), h.Floats(B), h.WritableFloats(Output), Min, Max);
    }

    public override string C(ICallEmitter c) =>
        $"tt_add_forward_float{WithMask(Mask)}({c.Tensor(A)}, {c.Tensor(B)}, {c.Tensor(Output)}, {c.FloatCount(Output)}, {CLiterals.Float(Min)}, {CLiterals.Float(Max)}{MaskArg(c, Mask)});";
}

public sealed record FloatAveragePool2DCall(string Name, PoolParams Params, int Input, int Output) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [Input];
    public override IEnumerable<int> Writes => [Output];
    public override void Run(IKernelHost h) => AveragePool2D.ForwardFloat(Params, h.Floats(Input), h.WritableFloats(Output));
    public override string C(ICallEmitter c) => $"tt_average_pool2d_forward_float({c.Params(Params)}, {c.Tensor(Input)}, {c.Tensor(Output)});";
}

public sealed record DequantizeCall(string Name, float Scale, int ZeroPoint, int Input, int Output) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [Input];
    public override IEnumerable<int> Writes => [Output];
    public override void Run(IKernelHost h) => SoftmaxCrossEntropy.Dequantize(h.SBytes(Input), Scale, ZeroPoint, h.WritableFloats(Output));

    public override string C(ICallEmitter c) =>
        $"tt_softmax_cross_entropy_dequantize({c.Tensor(Input)}, {c.ByteCount(Input)}, {CLiterals.Float(Scale)}, {CLiterals.Int(ZeroPoint)}, {c.Tensor(Output)});";
}

/// <summary>Log-softmax + cross-entropy: writes the loss and, when Grad >= 0, d loss / d logits.</summary>
public sealed record SoftmaxCrossEntropyCall(string Name, int Logits, int Label, int Loss, int Grad) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [Logits, Label];
    public override IEnumerable<int> Writes => Grad < 0 ? [Loss] : [Loss, Grad];

    public override void Run(IKernelHost h)
    {
        var label = h.Int32s(Label)[0];
        var logits = h.Floats(Logits);
        if ((uint)label >= (uint)logits.Length) throw new ArgumentOutOfRangeException(nameof(label), $"label {label} is outside 0..{logits.Length - 1}");
        Span<float> scratch = Grad < 0 ? stackalloc float[logits.Length] : default;
        h.WritableFloats(Loss)[0] = SoftmaxCrossEntropy.Forward(logits, label, Grad < 0 ? scratch : h.WritableFloats(Grad));
    }

    public override string C(ICallEmitter c) =>
        $"{c.Tensor(Loss)}[0] = tt_softmax_cross_entropy_forward({c.Tensor(Logits)}, {c.FloatCount(Logits)}, {c.Tensor(Label)}[0], {c.Tensor(Grad)});";
}

/// <summary>output = gradient * mask * scales[c] (Mask -1: no mask).</summary>
public sealed record RequantGradCall(string Name, ImmutableArray<float> Scales, int Channels, int Gradient, int Mask, int Output) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => Mask < 0 ? [Gradient] : [Gradient, Mask];
    public override IEnumerable<int> Writes => [Output];

    public override void Run(IKernelHost h)
    {
        if (Mask >= 0) h.Kernels.AccumulatorGrad(h.Floats(Gradient), h.Bytes(Mask), Scales.AsSpan(), Channels, h.WritableFloats(Output));
        else Requant.ScaleGrad(h.Floats(Gradient), Scales.AsSpan(), Channels, h.WritableFloats(Output));
    }

    public override string C(ICallEmitter c) => Mask >= 0
        ? $"tt_requant_accumulator_grad({c.Tensor(Gradient)}, {c.Tensor(Mask)}, {c.Floats(Scales, "_scales")}, {Scales.Length}, {Channels}, {c.FloatCount(Output)}, {c.Tensor(Output)});"
        : $"tt_requant_scale_grad({c.Tensor(Gradient)}, {c.Floats(Scales, "_scales")}, {Scales.Length}, {Channels}, {c.FloatCount(Output)}, {c.Tensor(Output)});";
}

/// <summary>
/// Gradient of a conv-like op's input (a transposed convolution) from its accumulator gradient; <see cref="Float"/>
/// when the filter is fp32 (the fp32 mode or head).
/// </summary>
public abstract record InputGradCall(string Name, int Gradient, int Filter, int Output, bool Float) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [Gradient, Filter];
    public override IEnumerable<int> Writes => [Output];

    protected string C(ICallEmitter c, string op, object parameters) =>
        $"tt_{op}_input_grad{(Float ? "_float" : "")}({c.Params(parameters)}, {c.Tensor(Gradient)}, {c.Tensor(Filter)}, {c.Tensor(Output)});";
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

public sealed record DepthwiseConv2DInputGradCall(string Name, DepthwiseConv2DParams Params, int Gradient, int Filter, int Output, bool Float)
    : InputGradCall(Name, Gradient, Filter, Output, Float)
{
    public override long Macs => Params.Macs;

    public override void Run(IKernelHost h)
    {
        if (Float) h.Kernels.DepthwiseConv2DInputGrad(Params, h.Floats(Gradient), h.Floats(Filter), h.WritableFloats(Output));
        else h.Kernels.DepthwiseConv2DInputGrad(Params, h.Floats(Gradient), h.SBytes(Filter), h.WritableFloats(Output));
    }

    public override string C(ICallEmitter c) => C(c, "depthwise_conv2d", Params);
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

/// <summary>
/// Gradient of a conv-like op's filter for the trained input channels only; <see cref="Float"/> when the input is
/// fp32. A fused update runs it a block of output channels at a time (<see cref="RunBlock"/>, <see cref="WindowFunction"/>).
/// </summary>
public abstract record FilterGradCall(string Name, int Input, int Gradient, ImmutableArray<int> Channels, int Output, bool Float) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [Input, Gradient];
    public override IEnumerable<int> Writes => [Output];

    /// <summary>Output channels of the filter: the blocks a fused update walks.</summary>
    public abstract int Outputs { get; }

    /// <summary>The parameters the C functions take.</summary>
    public abstract object Parameters { get; }

    /// <summary>The gradient of output channels [first, first + block) into <paramref name="grad"/>, for ops with a <see cref="WindowFunction"/>.</summary>
    public virtual void RunBlock(IKernelHost h, int first, Span<float> grad) =>
        throw new InvalidOperationException($"{Name}: {GetType().Name} has no windowed filter gradient");

    /// <summary>The C function of <see cref="RunBlock"/>, or null when there is none (the update is not fused).</summary>
    public virtual string? WindowFunction => null;

    protected string C(ICallEmitter c, string op) =>
        $"tt_{op}_filter_grad{(Float ? "_float" : "")}({c.Params(Parameters)}, {c.Tensor(Input)}, {c.Tensor(Gradient)}, {c.Ints(Channels, "_channels")}, {Channels.Length}, {c.Tensor(Output)});";
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

public sealed record DepthwiseConv2DFilterGradCall(string Name, DepthwiseConv2DParams Params, int Input, int Gradient, ImmutableArray<int> Channels, int Output, bool Float)
    : FilterGradCall(Name, Input, Gradient, Channels, Output, Float)
{
    public override long Macs => Params.Macs / Params.InputC * Channels.Length;
    public override int Outputs => Params.InputC * Params.DepthMultiplier;
    public override object Parameters => Params;

    public override void Run(IKernelHost h)
    {
        if (Float) h.Kernels.DepthwiseConv2DFilterGrad(Params, h.Floats(Input), h.Floats(Gradient), Channels.AsSpan(), h.WritableFloats(Output));
        else h.Kernels.DepthwiseConv2DFilterGrad(Params, h.SBytes(Input), h.Floats(Gradient), Channels.AsSpan(), h.WritableFloats(Output));
    }

    public override string C(ICallEmitter c) => C(c, "depthwise_conv2d");
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

public sealed record BiasGradCall(string Name, int Channels, int Gradient, int Output) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [Gradient];
    public override IEnumerable<int> Writes => [Output];
    public override void Run(IKernelHost h) => h.Kernels.BiasGrad(h.Floats(Gradient), Channels, h.WritableFloats(Output));
    public override string C(ICallEmitter c) => $"tt_bias_grad({c.Tensor(Gradient)}, {c.FloatCount(Gradient)}, {Channels}, {c.Tensor(Output)});";
}

public sealed record AveragePool2DGradCall(string Name, PoolParams Params, int Gradient, int Output) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [Gradient];
    public override IEnumerable<int> Writes => [Output];
    public override void Run(IKernelHost h) => h.Kernels.AveragePool2DBackward(Params, h.Floats(Gradient), h.WritableFloats(Output));
    public override string C(ICallEmitter c) => $"tt_average_pool2d_backward({c.Params(Params)}, {c.Tensor(Gradient)}, {c.Tensor(Output)});";
}

public sealed record GradAddCall(string Name, int A, int B, int Output) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [A, B];
    public override IEnumerable<int> Writes => [Output];

    public override void Run(IKernelHost h)
    {
        h.Floats(A).CopyTo(h.WritableFloats(Output));
        h.Kernels.AddInPlace(h.WritableFloats(Output), h.Floats(B));
    }

    public override string C(ICallEmitter c) => $"tt_elementwise_add({c.Tensor(A)}, {c.Tensor(B)}, {c.Tensor(Output)}, {c.FloatCount(Output)});";
}

/// <summary>
/// One SGD step of a parameter slice, in place: the gradient lands on the parameter positions <see cref="Layout"/>
/// names (all of a bias; the trained input channels of a filter), each scaled by its output channel's QAS factor.
/// Master and Momentum are persistent fp32 tensors (-1: none). The host and the emitter own the step's policy.
/// </summary>
public sealed record SgdUpdateCall(string Name, int Parameter, int Gradient, ImmutableArray<float> Qas, SliceLayout Layout,
    UpdatePolicy Policy, int Master, int Momentum) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => Master < 0 ? [Parameter, Gradient] : [Parameter, Gradient, Master];
    public override IEnumerable<int> Writes => Momentum < 0 ? [Parameter] : [Parameter, Momentum];
    public override void Run(IKernelHost h) => h.Update(this);
    public override string C(ICallEmitter c) => c.Update(this);
}

/// <summary>
/// A filter gradient with its SGD step inside it (paper §3.4, in-place SGD): the gradient of <see cref="Block"/>
/// output channels at a time lands in the gradient call's output, a scratch of one block, and is applied at once,
/// so the whole weight gradient never exists. Each block's values are bit-identical to the whole gradient's, so the
/// result equals the two calls in turn.
/// </summary>
public sealed record FusedUpdateCall(string Name, FilterGradCall Gradient, SgdUpdateCall Update, int Outputs, int PerOutput, int Block) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => Gradient.Reads.Concat(Update.Reads).Where(id => id != Update.Gradient).Distinct();
    public override IEnumerable<int> Writes => [.. Update.Writes, Update.Gradient];
    public override long Macs => Gradient.Macs;
    public override string Kernel => $"{Gradient.Kernel} + SGD";
    public override void Run(IKernelHost h) => h.FusedUpdate(this);
    public override string C(ICallEmitter c) => c.FusedUpdate(this);
}

/// <summary>
/// Rebuilds a partly trained filter for one reader: the frozen filter (flash) with the trained channels (the SRAM
/// slice) written over it, into a short-lived arena tensor.
/// </summary>
public sealed record SliceMergeCall(string Name, int Frozen, int Trained, ImmutableArray<int> Channels, int Output) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [Frozen, Trained];
    public override IEnumerable<int> Writes => [Output];
    public override void Run(IKernelHost h) => SliceMerge.Merge(h.SBytes(Frozen), h.SBytes(Trained), Channels.AsSpan(), h.WritableSBytes(Output));

    public override string C(ICallEmitter c)
    {
        var k = Channels.Length;
        var rows = c.ByteCount(Trained) / k;
        return $"tt_slice_merge({c.Tensor(Frozen)}, {c.Tensor(Trained)}, {c.Ints(Channels, "_channels")}, {k}, {rows}, {c.ByteCount(Frozen) / rows}, {c.Tensor(Output)});";
    }
}
