namespace TinyTrain.Kernels;

/// <summary>
/// The kernels a program runs with, chosen once: <see cref="Fast"/> (SIMD at the widest accelerated width, packed
/// filters) or <see cref="Reference"/> (the plain loops that are the spec). Both compute the same bits, but for the
/// fp32 forwards of the conv and the fully connected layer, whose SIMD sums differ by rounding; the reference set exists
/// so a whole step can be compared with the fast one. Every kernel with a SIMD path is called through here; kernels
/// without one are called directly.
/// </summary>
public sealed class KernelSet
{
    private readonly VectorWidth width;

    private KernelSet(VectorWidth width, bool packsFilters)
    {
        this.width = width;
        PacksFilters = packsFilters;
    }

    public static KernelSet Fast { get; } = new(VectorWidths.Preferred, packsFilters: true);

    public static KernelSet Reference { get; } = new(VectorWidth.Scalar, packsFilters: false);

    /// <summary>The SIMD paths at one width (tests force each).</summary>
    internal static KernelSet At(VectorWidth width) => new(width, packsFilters: true);

    /// <summary>Whether filters may be packed ahead of time (the fast set's forward convolutions).</summary>
    public bool PacksFilters { get; }

    public void Conv2DForward(Conv2DParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias, Span<sbyte> output) =>
        Conv2D.Forward(p, input, filter, bias, output, [], width);

    /// <summary>The forward plus the clamp mask the backward pass needs (1 bit per output element, see <see cref="ClampMask"/>).</summary>
    public void Conv2DForwardWithMask(Conv2DParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias, Span<sbyte> output, Span<byte> mask) =>
        Conv2D.Forward(p, input, filter, bias, output, mask, width);

    public void DepthwiseConv2DForward(DepthwiseConv2DParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias, Span<sbyte> output) =>
        DepthwiseConv2D.Forward(p, input, filter, bias, output, [], width);

    public void DepthwiseConv2DForwardWithMask(DepthwiseConv2DParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias, Span<sbyte> output, Span<byte> mask) =>
        DepthwiseConv2D.Forward(p, input, filter, bias, output, mask, width);

    public void FullyConnectedForward(FullyConnectedParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias, Span<sbyte> output) =>
        FullyConnected.Forward(p, input, filter, bias, output, [], width);

    public void FullyConnectedForwardWithMask(FullyConnectedParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias, Span<sbyte> output, Span<byte> mask) =>
        FullyConnected.Forward(p, input, filter, bias, output, mask, width);

    public void AddForward(AddParams p, ReadOnlySpan<sbyte> a, ReadOnlySpan<sbyte> b, Span<sbyte> output) => Add.Forward(p, a, b, output, [], width);

    public void AddForwardWithMask(AddParams p, ReadOnlySpan<sbyte> a, ReadOnlySpan<sbyte> b, Span<sbyte> output, Span<byte> mask) =>
        Add.Forward(p, a, b, output, mask, width);

    public void ConvDepthwiseForward(Conv2DParams conv, DepthwiseConv2DParams depthwise, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> convFilter,
        ReadOnlySpan<int> convBias, ReadOnlySpan<sbyte> depthwiseFilter, ReadOnlySpan<int> depthwiseBias, Span<sbyte> planes, Span<sbyte> output) =>
        ConvDepthwise.Forward(conv, depthwise, input, convFilter, convBias, depthwiseFilter, depthwiseBias, planes, output, width);

    /// <summary>The fp32 forward of the fp32 baseline: real-valued operands, the activation a clamp to [min, max]; mask empty: none.</summary>
    public void Conv2DForwardFloat(Conv2DParams p, ReadOnlySpan<float> input, ReadOnlySpan<float> filter, ReadOnlySpan<float> bias, Span<float> output,
        float min, float max, Span<byte> mask) => Conv2D.ForwardFloat(p, input, filter, bias, output, min, max, mask, width);

    public void DepthwiseConv2DForwardFloat(DepthwiseConv2DParams p, ReadOnlySpan<float> input, ReadOnlySpan<float> filter, ReadOnlySpan<float> bias,
        Span<float> output, float min, float max, Span<byte> mask) => DepthwiseConv2D.ForwardFloat(p, input, filter, bias, output, min, max, mask, width);

    public void FullyConnectedForwardFloat(FullyConnectedParams p, ReadOnlySpan<float> input, ReadOnlySpan<float> filter, ReadOnlySpan<float> bias,
        Span<float> output, float min, float max, Span<byte> mask) => FullyConnected.ForwardFloat(p, input, filter, bias, output, min, max, mask, width);

    public void AccumulatorGrad(ReadOnlySpan<float> outputGrad, ReadOnlySpan<byte> mask, ReadOnlySpan<float> scale, int channels, Span<float> accGrad) =>
        Requant.AccumulatorGrad(outputGrad, mask, scale, channels, accGrad, width);

    public void Conv2DInputGrad(Conv2DParams p, ReadOnlySpan<float> accGrad, ReadOnlySpan<sbyte> filter, Span<float> inputGrad) =>
        Conv2D.InputGrad(p, accGrad, filter, inputGrad, width);

    public void Conv2DInputGrad(Conv2DParams p, ReadOnlySpan<float> accGrad, ReadOnlySpan<float> filter, Span<float> inputGrad) =>
        Conv2D.InputGrad(p, accGrad, filter, inputGrad, width);

    public void DepthwiseConv2DInputGrad(DepthwiseConv2DParams p, ReadOnlySpan<float> accGrad, ReadOnlySpan<sbyte> filter, Span<float> inputGrad) =>
        DepthwiseConv2D.InputGrad(p, accGrad, filter, inputGrad, width);

    public void DepthwiseConv2DInputGrad(DepthwiseConv2DParams p, ReadOnlySpan<float> accGrad, ReadOnlySpan<float> filter, Span<float> inputGrad) =>
        DepthwiseConv2D.InputGrad(p, accGrad, filter, inputGrad, width);

    public void FullyConnectedInputGrad(FullyConnectedParams p, ReadOnlySpan<float> accGrad, ReadOnlySpan<sbyte> filter, Span<float> inputGrad) =>
        FullyConnected.InputGrad(p, accGrad, filter, inputGrad, width);

    public void FullyConnectedInputGrad(FullyConnectedParams p, ReadOnlySpan<float> accGrad, ReadOnlySpan<float> filter, Span<float> inputGrad) =>
        FullyConnected.InputGrad(p, accGrad, filter, inputGrad, width);

    /// <summary>
    /// The filter gradient of the selected input channels (int8 input, or fp32 with zero point 0), laid out [OutputC,
    /// KernelH, KernelW, k]; with <paramref name="first"/>, of output channels [first, first + block) only (a fused
    /// update's block, block = filterGrad.Length / (KernelH * KernelW * k)), each element bit-identical to the whole
    /// gradient's.
    /// </summary>
    public void Conv2DFilterGrad(
        Conv2DParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> channels, Span<float> filterGrad, int? first = null) =>
        Conv2D.FilterGrad(p, input, accGrad, channels, first, filterGrad, width);

    /// <inheritdoc cref="Conv2DFilterGrad(Conv2DParams, ReadOnlySpan{sbyte}, ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float}, int?)"/>
    public void Conv2DFilterGrad(
        Conv2DParams p, ReadOnlySpan<float> input, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> channels, Span<float> filterGrad, int? first = null) =>
        Conv2D.FilterGrad(p, input, accGrad, channels, first, filterGrad, width);

    public void DepthwiseConv2DFilterGrad(DepthwiseConv2DParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> channels, Span<float> filterGrad) =>
        DepthwiseConv2D.FilterGrad(p, input, accGrad, channels, filterGrad, width);

    public void DepthwiseConv2DFilterGrad(DepthwiseConv2DParams p, ReadOnlySpan<float> input, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> channels, Span<float> filterGrad) =>
        DepthwiseConv2D.FilterGrad(p, input, accGrad, channels, filterGrad, width);

    /// <summary>The filter gradient of the selected input channels, laid out [OutputDepth, k]; <paramref name="first"/> as in <see cref="Conv2DFilterGrad(Conv2DParams, ReadOnlySpan{sbyte}, ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float}, int?)"/>.</summary>
    public void FullyConnectedFilterGrad(
        FullyConnectedParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> channels, Span<float> filterGrad, int? first = null) =>
        FullyConnected.FilterGrad(p, input, accGrad, channels, first, filterGrad, width);

    /// <inheritdoc cref="FullyConnectedFilterGrad(FullyConnectedParams, ReadOnlySpan{sbyte}, ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float}, int?)"/>
    public void FullyConnectedFilterGrad(
        FullyConnectedParams p, ReadOnlySpan<float> input, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> channels, Span<float> filterGrad, int? first = null) =>
        FullyConnected.FilterGrad(p, input, accGrad, channels, first, filterGrad, width);

    public void BiasGrad(ReadOnlySpan<float> accGrad, int channels, Span<float> biasGrad) => Bias.Grad(accGrad, channels, biasGrad, width);

    public void AveragePool2DBackward(PoolParams p, ReadOnlySpan<float> outputGrad, Span<float> inputGrad) => AveragePool2D.Backward(p, outputGrad, inputGrad, width);

    public void AddInPlace(Span<float> target, ReadOnlySpan<float> source) => Elementwise.AddInPlace(target, source, width);
}
