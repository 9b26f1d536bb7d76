using System.Runtime.Intrinsics;

namespace TinyTrain.Kernels;

/// <summary>
/// A Conv2D whose only reader is a DepthwiseConv2D (depth multiplier 1), run a few channels at a time: the conv's output
/// channel c is computed as one plane, then the depthwise conv of that channel, so the conv's whole output never exists
/// (an inverted bottleneck's expansion is the largest activation of a MobileNet). Every output value is the one the two
/// kernels compute in turn, bit for bit: the same integer sums, the same requantisation of each element.
/// </summary>
public static partial class ConvDepthwise
{
    /// <summary>Channels computed per pass (the vectorised path's four dot products).</summary>
    public const int Group = 4;

    /// <summary>Bytes of the scratch planes: <see cref="Group"/> channels of the conv's output.</summary>
    public static int PlanesLength(Conv2DParams conv) => Group * conv.OutputH * conv.OutputW;

    internal static void Forward(Conv2DParams conv, DepthwiseConv2DParams depthwise, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> convFilter,
        ReadOnlySpan<int> convBias, ReadOnlySpan<sbyte> depthwiseFilter, ReadOnlySpan<int> depthwiseBias, Span<sbyte> planes, Span<sbyte> output,
        VectorWidth width)
    {
        Validate(conv, depthwise, input, convFilter, convBias, depthwiseFilter, depthwiseBias, planes, output);
        if (width == VectorWidth.Scalar || !Conv2D.FitsInt32Lanes(conv)) ForwardReference(conv, depthwise, input, convFilter, convBias, depthwiseFilter, depthwiseBias, planes, output);
        else ForwardVectorized(conv, depthwise, input, convFilter, convBias, depthwiseFilter, depthwiseBias, planes, output, width);
    }

    /// <summary>The spec: one channel at a time, each plane element and each output as the plain kernels compute them.</summary>
    private static void ForwardReference(Conv2DParams conv, DepthwiseConv2DParams depthwise, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> convFilter,
        ReadOnlySpan<int> convBias, ReadOnlySpan<sbyte> depthwiseFilter, ReadOnlySpan<int> depthwiseBias, Span<sbyte> planes, Span<sbyte> output)
    {
        var convRequantizer = new Requantizer(conv.Requant, convBias, conv.OutputZeroPoint, conv.ActMin, conv.ActMax);
        var plane = planes[..(conv.OutputH * conv.OutputW)];
        var window = new ConvWindow(conv);
        for (int channel = 0; channel < conv.OutputC; channel++)
        {
            for (int outY = 0; outY < conv.OutputH; outY++)
            {
                for (int outX = 0; outX < conv.OutputW; outX++)
                {
                    long sum = 0;
                    foreach (var tap in window.Taps(outY, outX))
                    {
                        for (int inChannel = 0; inChannel < conv.InputC; inChannel++)
                        {
                            int x = input[tap.Pixel * conv.InputC + inChannel];
                            int w = convFilter[(channel * window.Size + tap.Index) * conv.InputC + inChannel];
                            sum += w * (x - conv.InputZeroPoint);
                        }
                    }
                    plane[outY * conv.OutputW + outX] = convRequantizer.Apply(channel, sum);
                }
            }
            DepthwisePlane(depthwise, channel, plane, depthwiseFilter, depthwiseBias, output);
        }
    }

    /// <summary>Four conv channels per pass with the conv's vectorised dot products, then their four depthwise planes.</summary>
    private static void ForwardVectorized(Conv2DParams conv, DepthwiseConv2DParams depthwise, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> convFilter,
        ReadOnlySpan<int> convBias, ReadOnlySpan<sbyte> depthwiseFilter, ReadOnlySpan<int> depthwiseBias, Span<sbyte> planes, Span<sbyte> output,
        VectorWidth width)
    {
        var convRequantizer = new Requantizer(conv.Requant, convBias, conv.OutputZeroPoint, conv.ActMin, conv.ActMax);
        int taps = conv.KernelH * conv.KernelW, pixels = conv.OutputH * conv.OutputW;
        Span<int> segments = stackalloc int[3 * taps];
        Span<int> sums = stackalloc int[Group];
        int filterStride = taps * conv.InputC;
        int lastBlock = Math.Max(conv.OutputC - Group, 0), lastChannel = conv.OutputC - 1;
        for (int block = 0; block < conv.OutputC; block += Group)
        {
            // The last block may overlap the one before: its channels are computed again, to the same values.
            int c0 = Math.Min(block, lastBlock);
            int c1 = Math.Min(c0 + 1, lastChannel), c2 = Math.Min(c0 + 2, lastChannel), c3 = Math.Min(c0 + 3, lastChannel);
            for (int outY = 0; outY < conv.OutputH; outY++)
            {
                for (int outX = 0; outX < conv.OutputW; outX++)
                {
                    ReadOnlySpan<int> window = segments[..Conv2D.BuildSegments(conv, outY, outX, segments)];
                    Int8DotProduct.Dot4(width, input, convFilter, window, c0 * filterStride, c1 * filterStride, c2 * filterStride, c3 * filterStride,
                        conv.InputZeroPoint, sums);
                    int pixel = outY * conv.OutputW + outX;
                    planes[pixel] = convRequantizer.Apply(c0, sums[0]);
                    planes[pixels + pixel] = convRequantizer.Apply(c1, sums[1]);
                    planes[2 * pixels + pixel] = convRequantizer.Apply(c2, sums[2]);
                    planes[3 * pixels + pixel] = convRequantizer.Apply(c3, sums[3]);
                }
            }
            DepthwisePlane(depthwise, c0, planes[..pixels], depthwiseFilter, depthwiseBias, output);
            DepthwisePlane(depthwise, c1, planes.Slice(pixels, pixels), depthwiseFilter, depthwiseBias, output);
            DepthwisePlane(depthwise, c2, planes.Slice(2 * pixels, pixels), depthwiseFilter, depthwiseBias, output);
            DepthwisePlane(depthwise, c3, planes.Slice(3 * pixels, pixels), depthwiseFilter, depthwiseBias, output);
        }
    }

    /// <summary>Taps of one channel held on the stack when the kernel has at most this many.</summary>
    private const int MaxFoldedTaps = 64;

    /// <summary>
    /// The depthwise conv of one channel, read from its own plane, into that channel of the NHWC output. Outputs whose
    /// window lies inside the plane sum w * x with the zero point folded out (sum w * (x - zp) = sum w * x - zp * sum w,
    /// exact in int32 for a window of at most 64 taps); the border keeps the per-tap checks.
    /// </summary>
    private static void DepthwisePlane(DepthwiseConv2DParams p, int channel, ReadOnlySpan<sbyte> plane, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias,
        Span<sbyte> output)
    {
        var requantizer = new Requantizer(p.Requant, bias, p.OutputZeroPoint, p.ActMin, p.ActMax);
        int channels = p.OutputC, taps = p.KernelH * p.KernelW;
        bool fold = taps <= MaxFoldedTaps;
        Span<int> weights = stackalloc int[MaxFoldedTaps];
        int folded = 0;
        for (int t = 0; fold && t < taps; t++)
        {
            weights[t] = filter[t * channels + channel];
            folded -= p.InputZeroPoint * weights[t];
        }
        int spanY = p.DilationH * (p.KernelH - 1), spanX = p.DilationW * (p.KernelW - 1);
        for (int outY = 0; outY < p.OutputH; outY++)
        {
            int inYOrigin = outY * p.StrideH - p.PadTop;
            bool insideY = inYOrigin >= 0 && inYOrigin + spanY < p.InputH;
            for (int outX = 0; outX < p.OutputW; outX++)
            {
                int inXOrigin = outX * p.StrideW - p.PadLeft;
                long sum;
                if (fold && insideY && inXOrigin >= 0 && inXOrigin + spanX < p.InputW)
                {
                    int inside = folded;
                    for (int filterY = 0; filterY < p.KernelH; filterY++)
                    {
                        var row = plane.Slice((inYOrigin + p.DilationH * filterY) * p.InputW + inXOrigin, spanX + 1);
                        var w = weights.Slice(filterY * p.KernelW, p.KernelW);
                        for (int filterX = 0; filterX < w.Length; filterX++) inside += w[filterX] * row[p.DilationW * filterX];
                    }
                    sum = inside;
                }
                else
                {
                    sum = 0;
                    for (int filterY = 0; filterY < p.KernelH; filterY++)
                    {
                        int inY = inYOrigin + p.DilationH * filterY;
                        if (inY < 0 || inY >= p.InputH) continue;
                        for (int filterX = 0; filterX < p.KernelW; filterX++)
                        {
                            int inX = inXOrigin + p.DilationW * filterX;
                            if (inX < 0 || inX >= p.InputW) continue;
                            sum += filter[(filterY * p.KernelW + filterX) * channels + channel] * (plane[inY * p.InputW + inX] - p.InputZeroPoint);
                        }
                    }
                }
                output[(outY * p.OutputW + outX) * channels + channel] = requantizer.Apply(channel, sum);
            }
        }
    }

    private static void Validate(Conv2DParams conv, DepthwiseConv2DParams depthwise, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> convFilter,
        ReadOnlySpan<int> convBias, ReadOnlySpan<sbyte> depthwiseFilter, ReadOnlySpan<int> depthwiseBias, ReadOnlySpan<sbyte> planes, ReadOnlySpan<sbyte> output,
        bool checkConvFilter = true)
    {
        ConvLike.ValidateGeometry(conv);
        ConvLike.ValidateGeometry(depthwise);
        if (depthwise.DepthMultiplier != 1 || depthwise.InputC != conv.OutputC || depthwise.InputH != conv.OutputH || depthwise.InputW != conv.OutputW)
            throw new ArgumentException($"the depthwise conv (input {depthwise.InputH}x{depthwise.InputW}x{depthwise.InputC}, multiplier {depthwise.DepthMultiplier}) does not read the conv's output {conv.OutputH}x{conv.OutputW}x{conv.OutputC} channel for channel", nameof(depthwise));
        Check.Int8(conv.InputZeroPoint, nameof(conv.InputZeroPoint));
        Check.Int8(depthwise.InputZeroPoint, nameof(depthwise.InputZeroPoint));
        Check.ActivationRange(conv.ActMin, conv.ActMax);
        Check.ActivationRange(depthwise.ActMin, depthwise.ActMax);
        Requantizer.Validate(conv.Requant, conv.OutputC);
        Requantizer.Validate(depthwise.Requant, depthwise.OutputC);
        Check.Length(input, conv.InputLength, nameof(input));
        if (checkConvFilter) Check.Length(convFilter, conv.FilterLength, nameof(convFilter)); // a packed one is checked against its params
        Check.Bias(convBias.Length, conv.OutputC);
        Check.Length(depthwiseFilter, depthwise.FilterLength, nameof(depthwiseFilter));
        Check.Bias(depthwiseBias.Length, depthwise.OutputC);
        Check.Length(planes, PlanesLength(conv), nameof(planes));
        Check.Length(output, depthwise.OutputLength, nameof(output));
    }
}
