namespace TinyTrain.Kernels;

/// <summary>
/// int8 NHWC convolution, OHWI filter (see <see cref="Conv2DParams"/>). Bit-exact with TFLite Micro's
/// reference_integer_ops::ConvPerChannel in FixedPoint mode.
/// </summary>
public static partial class Conv2D
{
    /// <summary>y[oy, ox, oc] = requant(sum over in-image (ky, kx), ic of W[oc, ky, kx, ic] * (x[iy, ix, ic] - zp) + bias[oc]).</summary>
    public static void Forward(
        Conv2DParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias, Span<sbyte> output)
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
    /// output element, see <see cref="ClampMask"/>; mask has <see cref="ClampMask.ByteLength"/>(OutputLength) bytes).
    /// </summary>
    public static void ForwardWithMask(
        Conv2DParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias, Span<sbyte> output,
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
    /// The spec: plain loops. The sum is exact in int64. |W * (x - zp)| &lt;= 128 * 255 = 32640, so an int32
    /// accumulator (TFLite's) is exact for windows of up to 65536 taps; beyond that TFLite wraps, which the
    /// FixedPoint requantiser reproduces by taking the sum mod 2^32.
    /// </summary>
    public static void ForwardReference(
        Conv2DParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias, Span<sbyte> output)
    {
        Validate(p, input, filter, bias, output);
        ForwardReference(p, input, filter, bias, output, Span<byte>.Empty);
    }

    /// <summary><see cref="ForwardReference(Conv2DParams, ReadOnlySpan{sbyte}, ReadOnlySpan{sbyte}, ReadOnlySpan{int}, Span{sbyte})"/> plus the clamp mask.</summary>
    public static void ForwardWithMaskReference(
        Conv2DParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias, Span<sbyte> output,
        Span<byte> mask)
    {
        Validate(p, input, filter, bias, output);
        ClampMask.Validate(mask, p.OutputLength, nameof(mask));
        mask.Clear();
        ForwardReference(p, input, filter, bias, output, mask);
    }

    // Validated arguments; an empty mask records nothing.
    private static void ForwardReference(
        Conv2DParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias, Span<sbyte> output,
        Span<byte> mask)
    {
        var requantizer = new Requantizer(p.Requant, bias, p.OutputZeroPoint, p.ActMin, p.ActMax);
        for (int outY = 0; outY < p.OutputH; outY++)
        {
            int inYOrigin = outY * p.StrideH - p.PadTop;
            for (int outX = 0; outX < p.OutputW; outX++)
            {
                int inXOrigin = outX * p.StrideW - p.PadLeft;
                for (int outChannel = 0; outChannel < p.OutputC; outChannel++)
                {
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

                            for (int inChannel = 0; inChannel < p.InputC; inChannel++)
                            {
                                int inputValue = input[(inY * p.InputW + inX) * p.InputC + inChannel];
                                int filterValue = filter[((outChannel * p.KernelH + filterY) * p.KernelW + filterX) * p.InputC + inChannel];
                                sum += filterValue * (inputValue - p.InputZeroPoint);
                            }
                        }
                    }

                    int index = (outY * p.OutputW + outX) * p.OutputC + outChannel;
                    output[index] = requantizer.Apply(outChannel, sum, mask, index);
                }
            }
        }
    }

    private static void Validate(
        Conv2DParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias, ReadOnlySpan<sbyte> output)
    {
        ValidateCall(p, input, bias, output);
        Check.Length(filter, (long)p.OutputC * p.KernelH * p.KernelW * p.InputC, nameof(filter));
    }

    /// <summary>Everything but the filter (a packed filter is checked against its params instead).</summary>
    private static void ValidateCall(Conv2DParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<int> bias, ReadOnlySpan<sbyte> output)
    {
        ValidateGeometry(p);
        Check.Int8(p.InputZeroPoint, nameof(p.InputZeroPoint));
        Check.Int8(p.OutputZeroPoint, nameof(p.OutputZeroPoint));
        Check.ActivationRange(p.ActMin, p.ActMax);
        Requantizer.Validate(p.Requant, p.OutputC);
        Check.Length(input, (long)p.InputH * p.InputW * p.InputC, nameof(input));
        Check.Bias(bias, p.OutputC);
        Check.Length(output, (long)p.OutputH * p.OutputW * p.OutputC, nameof(output));
    }

    /// <summary>The shape fields only: what the fp32 and backward kernels read.</summary>
    internal static void ValidateGeometry(Conv2DParams p)
    {
        ArgumentNullException.ThrowIfNull(p);
        Check.Positive(p.InputH, nameof(p.InputH));
        Check.Positive(p.InputW, nameof(p.InputW));
        Check.Positive(p.InputC, nameof(p.InputC));
        Check.Positive(p.OutputH, nameof(p.OutputH));
        Check.Positive(p.OutputW, nameof(p.OutputW));
        Check.Positive(p.OutputC, nameof(p.OutputC));
        Check.Positive(p.KernelH, nameof(p.KernelH));
        Check.Positive(p.KernelW, nameof(p.KernelW));
        Check.Positive(p.StrideH, nameof(p.StrideH));
        Check.Positive(p.StrideW, nameof(p.StrideW));
        Check.Positive(p.DilationH, nameof(p.DilationH));
        Check.Positive(p.DilationW, nameof(p.DilationW));
    }
}
