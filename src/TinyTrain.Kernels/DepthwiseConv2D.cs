namespace TinyTrain.Kernels;

/// <summary>
/// int8 NHWC depthwise convolution, filter [1, KernelH, KernelW, OutputC] (see <see cref="DepthwiseConv2DParams"/>).
/// Bit-exact with TFLite Micro's reference_integer_ops::DepthwiseConvPerChannel in FixedPoint mode.
/// </summary>
public static partial class DepthwiseConv2D
{
    /// <summary>y[oy, ox, oc] = requant(sum over in-image (ky, kx) of W[ky, kx, oc] * (x[iy, ix, oc / M] - zp) + bias[oc]).</summary>
    public static void Forward(
        DepthwiseConv2DParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias, Span<sbyte> output)
    {
        if (VectorWidths.UseVectorized)
        {
            ForwardVectorized(p, input, filter, bias, output);
        }
        else
        {
            ForwardReference(p, input, filter, bias, output);
        }
    }

    /// <summary>
    /// <see cref="Forward"/> for training: the same output, plus the clamp mask the backward pass needs (1 bit per
    /// output element, see <see cref="ClampMask"/>).
    /// </summary>
    public static void ForwardWithMask(
        DepthwiseConv2DParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias, Span<sbyte> output,
        Span<byte> mask)
    {
        if (VectorWidths.UseVectorized)
        {
            ForwardWithMaskVectorized(p, input, filter, bias, output, mask);
        }
        else
        {
            ForwardWithMaskReference(p, input, filter, bias, output, mask);
        }
    }

    /// <summary>
    /// The spec: plain loops, sum exact in int64. Each tap adds at most 128 * 255 = 32640 in magnitude, so
    /// TFLite's int32 accumulator is exact for any real kernel size; FixedPoint requantisation uses the sum
    /// mod 2^32 as TFLite does.
    /// </summary>
    public static void ForwardReference(
        DepthwiseConv2DParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias, Span<sbyte> output)
    {
        Validate(p, input, filter, bias, output);
        ForwardReference(p, input, filter, bias, output, Span<byte>.Empty);
    }

    /// <summary>The reference forward plus the clamp mask.</summary>
    public static void ForwardWithMaskReference(
        DepthwiseConv2DParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias, Span<sbyte> output,
        Span<byte> mask)
    {
        Validate(p, input, filter, bias, output);
        ClampMask.Validate(mask, p.OutputLength, nameof(mask));
        mask.Clear();
        ForwardReference(p, input, filter, bias, output, mask);
    }

    // Validated arguments; an empty mask records nothing.
    private static void ForwardReference(
        DepthwiseConv2DParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias, Span<sbyte> output,
        Span<byte> mask)
    {
        var requantizer = new Requantizer(p.Requant, bias, p.OutputZeroPoint, p.ActMin, p.ActMax);
        int outputC = p.OutputC;
        for (int outY = 0; outY < p.OutputH; outY++)
        {
            int inYOrigin = outY * p.StrideH - p.PadTop;
            for (int outX = 0; outX < p.OutputW; outX++)
            {
                int inXOrigin = outX * p.StrideW - p.PadLeft;
                for (int inChannel = 0; inChannel < p.InputC; inChannel++)
                {
                    for (int multiplier = 0; multiplier < p.DepthMultiplier; multiplier++)
                    {
                        int outChannel = inChannel * p.DepthMultiplier + multiplier;
                        long sum = 0;
                        for (int filterY = 0; filterY < p.KernelH; filterY++)
                        {
                            int inY = inYOrigin + p.DilationH * filterY;
                            for (int filterX = 0; filterX < p.KernelW; filterX++)
                            {
                                int inX = inXOrigin + p.DilationW * filterX;
                                // Outside the image: skipped, i.e. padded with the input zero point.
                                if (inY < 0 || inY >= p.InputH || inX < 0 || inX >= p.InputW)
                                {
                                    continue;
                                }

                                int inputValue = input[(inY * p.InputW + inX) * p.InputC + inChannel];
                                int filterValue = filter[(filterY * p.KernelW + filterX) * outputC + outChannel];
                                sum += filterValue * (inputValue - p.InputZeroPoint);
                            }
                        }

                        int index = (outY * p.OutputW + outX) * outputC + outChannel;
                        output[index] = requantizer.Apply(outChannel, sum, mask, index);
                    }
                }
            }
        }
    }

    private static void Validate(
        DepthwiseConv2DParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias, ReadOnlySpan<sbyte> output)
    {
        ValidateGeometry(p);
        Check.Int8(p.InputZeroPoint, nameof(p.InputZeroPoint));
        Check.Int8(p.OutputZeroPoint, nameof(p.OutputZeroPoint));
        Check.ActivationRange(p.ActMin, p.ActMax);
        Requantizer.Validate(p.Requant, p.OutputC);
        Check.Length(input, (long)p.InputH * p.InputW * p.InputC, nameof(input));
        Check.Length(filter, (long)p.KernelH * p.KernelW * p.OutputC, nameof(filter));
        Check.Bias(bias, p.OutputC);
        Check.Length(output, (long)p.OutputH * p.OutputW * p.OutputC, nameof(output));
    }

    /// <summary>The shape fields only: what the fp32 and backward kernels read.</summary>
    internal static void ValidateGeometry(DepthwiseConv2DParams p)
    {
        ArgumentNullException.ThrowIfNull(p);
        Check.Positive(p.InputH, nameof(p.InputH));
        Check.Positive(p.InputW, nameof(p.InputW));
        Check.Positive(p.InputC, nameof(p.InputC));
        Check.Positive(p.OutputH, nameof(p.OutputH));
        Check.Positive(p.OutputW, nameof(p.OutputW));
        Check.Positive(p.DepthMultiplier, nameof(p.DepthMultiplier));
        Check.Positive(p.KernelH, nameof(p.KernelH));
        Check.Positive(p.KernelW, nameof(p.KernelW));
        Check.Positive(p.StrideH, nameof(p.StrideH));
        Check.Positive(p.StrideW, nameof(p.StrideW));
        Check.Positive(p.DilationH, nameof(p.DilationH));
        Check.Positive(p.DilationW, nameof(p.DilationW));
    }
}
