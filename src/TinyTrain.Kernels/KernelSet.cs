namespace TinyTrain.Kernels;

/// <summary>
/// The kernels a program runs with, chosen once: <see cref="Fast"/> (SIMD where a kernel has it, packed filters) or
/// <see cref="Reference"/> (the plain loops that are the spec). Both compute the same bits; the reference set exists
/// so a whole step can be compared with the fast one. Kernels without a second version are called directly.
/// </summary>
public class KernelSet
{
    public static KernelSet Fast { get; } = new();
    public static KernelSet Reference { get; } = new ReferenceKernelSet();

    /// <summary>Whether filters may be packed ahead of time (the fast set's forward convolutions).</summary>
    public virtual bool PacksFilters => true;

    public virtual void Conv2DForward(Conv2DParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias, Span<sbyte> output) =>
        Conv2D.Forward(p, input, filter, bias, output);

    public virtual void Conv2DForwardWithMask(Conv2DParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias, Span<sbyte> output, Span<byte> mask) =>
        Conv2D.ForwardWithMask(p, input, filter, bias, output, mask);

    public virtual void DepthwiseConv2DForward(DepthwiseConv2DParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias, Span<sbyte> output) =>
        DepthwiseConv2D.Forward(p, input, filter, bias, output);

    public virtual void DepthwiseConv2DForwardWithMask(DepthwiseConv2DParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias, Span<sbyte> output, Span<byte> mask) =>
        DepthwiseConv2D.ForwardWithMask(p, input, filter, bias, output, mask);

    public virtual void FullyConnectedForward(FullyConnectedParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias, Span<sbyte> output) =>
        FullyConnected.Forward(p, input, filter, bias, output);

    public virtual void FullyConnectedForwardWithMask(FullyConnectedParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias, Span<sbyte> output, Span<byte> mask) =>
        FullyConnected.ForwardWithMask(p, input, filter, bias, output, mask);

    public virtual void AddForward(AddParams p, ReadOnlySpan<sbyte> a, ReadOnlySpan<sbyte> b, Span<sbyte> output) => Add.Forward(p, a, b, output);

    public virtual void AddForwardWithMask(AddParams p, ReadOnlySpan<sbyte> a, ReadOnlySpan<sbyte> b, Span<sbyte> output, Span<byte> mask) =>
        Add.ForwardWithMask(p, a, b, output, mask);

    public virtual void ConvDepthwiseForward(Conv2DParams conv, DepthwiseConv2DParams depthwise, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> convFilter,
        ReadOnlySpan<int> convBias, ReadOnlySpan<sbyte> depthwiseFilter, ReadOnlySpan<int> depthwiseBias, Span<sbyte> planes, Span<sbyte> output) =>
        ConvDepthwise.Forward(conv, depthwise, input, convFilter, convBias, depthwiseFilter, depthwiseBias, planes, output);

    public virtual void AccumulatorGrad(ReadOnlySpan<float> outputGrad, ReadOnlySpan<byte> mask, ReadOnlySpan<float> scale, int channels, Span<float> accGrad) =>
        Requant.AccumulatorGrad(outputGrad, mask, scale, channels, accGrad);

    public virtual void Conv2DInputGrad(Conv2DParams p, ReadOnlySpan<float> accGrad, ReadOnlySpan<sbyte> filter, Span<float> inputGrad) =>
        Conv2D.InputGrad(p, accGrad, filter, inputGrad);

    public virtual void DepthwiseConv2DInputGrad(DepthwiseConv2DParams p, ReadOnlySpan<float> accGrad, ReadOnlySpan<sbyte> filter, Span<float> inputGrad) =>
        DepthwiseConv2D.InputGrad(p, accGrad, filter, inputGrad);

    public virtual void FullyConnectedInputGrad(FullyConnectedParams p, ReadOnlySpan<float> accGrad, ReadOnlySpan<sbyte> filter, Span<float> inputGrad) =>
        FullyConnected.InputGrad(p, accGrad, filter, inputGrad);

    public virtual void Conv2DFilterGrad(Conv2DParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> channels, Span<float> filterGrad) =>
        Conv2D.FilterGrad(p, input, accGrad, channels, filterGrad);

    public virtual void DepthwiseConv2DFilterGrad(DepthwiseConv2DParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> channels, Span<float> filterGrad) =>
        DepthwiseConv2D.FilterGrad(p, input, accGrad, channels, filterGrad);

    public virtual void FullyConnectedFilterGrad(FullyConnectedParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> channels, Span<float> filterGrad) =>
        FullyConnected.FilterGrad(p, input, accGrad, channels, filterGrad);

    /// <summary>The filter gradient of output channels [first, first + block) only (a fused update's block).</summary>
    public virtual void Conv2DFilterGrad(Conv2DParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> channels, int first, Span<float> filterGrad) =>
        Conv2D.FilterGrad(p, input, accGrad, channels, first, filterGrad);

    public virtual void Conv2DFilterGrad(Conv2DParams p, ReadOnlySpan<float> input, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> channels, int first, Span<float> filterGrad) =>
        Conv2D.FilterGrad(p, input, accGrad, channels, first, filterGrad);

    public virtual void FullyConnectedFilterGrad(FullyConnectedParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> channels, int first, Span<float> filterGrad) =>
        FullyConnected.FilterGrad(p, input, accGrad, channels, first, filterGrad);

    public virtual void FullyConnectedFilterGrad(FullyConnectedParams p, ReadOnlySpan<float> input, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> channels, int first, Span<float> filterGrad) =>
        FullyConnected.FilterGrad(p, input, accGrad, channels, first, filterGrad);

    public virtual void BiasGrad(ReadOnlySpan<float> accGrad, int channels, Span<float> biasGrad) => Bias.Grad(accGrad, channels, biasGrad);

    public virtual void AveragePool2DBackward(PoolParams p, ReadOnlySpan<float> outputGrad, Span<float> inputGrad) => AveragePool2D.Backward(p, outputGrad, inputGrad);

    public virtual void AddInPlace(Span<float> target, ReadOnlySpan<float> source) => Elementwise.AddInPlace(target, source);
}

/// <summary>The plain-loop kernels: the spec every fast path is tested against.</summary>
internal sealed class ReferenceKernelSet : KernelSet
{
    public override bool PacksFilters => false;

    public override void Conv2DForward(Conv2DParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias, Span<sbyte> output) =>
        Conv2D.ForwardReference(p, input, filter, bias, output);

    public override void Conv2DForwardWithMask(Conv2DParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias, Span<sbyte> output, Span<byte> mask) =>
        Conv2D.ForwardWithMaskReference(p, input, filter, bias, output, mask);

    public override void DepthwiseConv2DForward(DepthwiseConv2DParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias, Span<sbyte> output) =>
        DepthwiseConv2D.ForwardReference(p, input, filter, bias, output);

    public override void DepthwiseConv2DForwardWithMask(DepthwiseConv2DParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias, Span<sbyte> output, Span<byte> mask) =>
        DepthwiseConv2D.ForwardWithMaskReference(p, input, filter, bias, output, mask);

    public override void FullyConnectedForward(FullyConnectedParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias, Span<sbyte> output) =>
        FullyConnected.ForwardReference(p, input, filter, bias, output);

    public override void FullyConnectedForwardWithMask(FullyConnectedParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias, Span<sbyte> output, Span<byte> mask) =>
        FullyConnected.ForwardWithMaskReference(p, input, filter, bias, output, mask);

    public override void AddForward(AddParams p, ReadOnlySpan<sbyte> a, ReadOnlySpan<sbyte> b, Span<sbyte> output) => Add.ForwardReference(p, a, b, output);

    public override void AddForwardWithMask(AddParams p, ReadOnlySpan<sbyte> a, ReadOnlySpan<sbyte> b, Span<sbyte> output, Span<byte> mask) =>
        Add.ForwardWithMaskReference(p, a, b, output, mask);

    public override void ConvDepthwiseForward(Conv2DParams conv, DepthwiseConv2DParams depthwise, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> convFilter,
        ReadOnlySpan<int> convBias, ReadOnlySpan<sbyte> depthwiseFilter, ReadOnlySpan<int> depthwiseBias, Span<sbyte> planes, Span<sbyte> output) =>
        ConvDepthwise.ForwardReference(conv, depthwise, input, convFilter, convBias, depthwiseFilter, depthwiseBias, planes, output);

    public override void AccumulatorGrad(ReadOnlySpan<float> outputGrad, ReadOnlySpan<byte> mask, ReadOnlySpan<float> scale, int channels, Span<float> accGrad) =>
        Requant.AccumulatorGradReference(outputGrad, mask, scale, channels, accGrad);

    public override void Conv2DInputGrad(Conv2DParams p, ReadOnlySpan<float> accGrad, ReadOnlySpan<sbyte> filter, Span<float> inputGrad) =>
        Conv2D.InputGradReference(p, accGrad, filter, inputGrad);

    public override void DepthwiseConv2DInputGrad(DepthwiseConv2DParams p, ReadOnlySpan<float> accGrad, ReadOnlySpan<sbyte> filter, Span<float> inputGrad) =>
        DepthwiseConv2D.InputGradReference(p, accGrad, filter, inputGrad);

    public override void FullyConnectedInputGrad(FullyConnectedParams p, ReadOnlySpan<float> accGrad, ReadOnlySpan<sbyte> filter, Span<float> inputGrad) =>
        FullyConnected.InputGradReference(p, accGrad, filter, inputGrad);

    public override void Conv2DFilterGrad(Conv2DParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> channels, Span<float> filterGrad) =>
        Conv2D.FilterGradReference(p, input, accGrad, channels, filterGrad);

    public override void DepthwiseConv2DFilterGrad(DepthwiseConv2DParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> channels, Span<float> filterGrad) =>
        DepthwiseConv2D.FilterGradReference(p, input, accGrad, channels, filterGrad);

    public override void FullyConnectedFilterGrad(FullyConnectedParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> channels, Span<float> filterGrad) =>
        FullyConnected.FilterGradReference(p, input, accGrad, channels, filterGrad);

    public override void Conv2DFilterGrad(Conv2DParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> channels, int first, Span<float> filterGrad) =>
        Conv2D.FilterGradReference(p, input, accGrad, channels, first, filterGrad);

    public override void Conv2DFilterGrad(Conv2DParams p, ReadOnlySpan<float> input, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> channels, int first, Span<float> filterGrad) =>
        Conv2D.FilterGradReference(p, input, accGrad, channels, first, filterGrad);

    public override void FullyConnectedFilterGrad(FullyConnectedParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> channels, int first, Span<float> filterGrad) =>
        FullyConnected.FilterGradReference(p, input, accGrad, channels, first, filterGrad);

    public override void FullyConnectedFilterGrad(FullyConnectedParams p, ReadOnlySpan<float> input, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> channels, int first, Span<float> filterGrad) =>
        FullyConnected.FilterGradReference(p, input, accGrad, channels, first, filterGrad);

    public override void BiasGrad(ReadOnlySpan<float> accGrad, int channels, Span<float> biasGrad) => Bias.GradReference(accGrad, channels, biasGrad);

    public override void AveragePool2DBackward(PoolParams p, ReadOnlySpan<float> outputGrad, Span<float> inputGrad) => AveragePool2D.BackwardReference(p, outputGrad, inputGrad);

    public override void AddInPlace(Span<float> target, ReadOnlySpan<float> source) => Elementwise.AddInPlaceReference(target, source);
}
