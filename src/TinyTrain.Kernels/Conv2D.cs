namespace TinyTrain.Kernels;

/// <summary>
/// int8 NHWC convolution, OHWI filter (see <see cref="Conv2DParams"/>). Bit-exact with TFLite Micro's
/// reference_integer_ops::ConvPerChannel in FixedPoint mode. Callers pick the implementation through
/// <see cref="KernelSet"/>: the entry points take a <see cref="VectorWidth"/>, Scalar for the reference loops (the
/// spec), any other width for the SIMD path tested bit-equal to them.
/// </summary>
public static partial class Conv2D
{
    /// <summary>
    /// y[oy, ox, oc] = requant(sum over in-image (ky, kx), ic of W[oc, ky, kx, ic] * (x[iy, ix, ic] - zp) + bias[oc]),
    /// and with a mask (<see cref="ClampMask.ByteLength"/>(OutputLength) bytes; empty: none) the clamp bits the backward
    /// pass needs. The sum is exact in int64. |W * (x - zp)| &lt;= 128 * 255 = 32640, so an int32 accumulator
    /// (TFLite's) is exact for windows of up to 65536 taps; beyond that TFLite wraps, which the FixedPoint
    /// requantiser reproduces by taking the sum mod 2^32.
    /// </summary>
    internal static void Forward(
        Conv2DParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias, Span<sbyte> output, Span<byte> mask,
        VectorWidth width)
    {
        ConvLike.ValidateForward(p, input.Length, filter.Length, bias.Length, output.Length, mask);
        if (width == VectorWidth.Scalar || !FitsInt32Lanes(p)) ForwardReference(p, input, filter, bias, output, mask);
        else ForwardVectorized(p, input, filter, bias, output, mask, width);
    }

    /// <summary>The spec: plain loops, on validated arguments; an empty mask records nothing.</summary>
    private static void ForwardReference(
        Conv2DParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias, Span<sbyte> output,
        Span<byte> mask)
    {
        var requantizer = new Requantizer(p.Requant, bias, p.OutputZeroPoint, p.ActMin, p.ActMax);
        var window = new ConvWindow(p);
        for (int outY = 0; outY < p.OutputH; outY++)
        {
            for (int outX = 0; outX < p.OutputW; outX++)
            {
                for (int outChannel = 0; outChannel < p.OutputC; outChannel++)
                {
                    long sum = 0;
                    foreach (var tap in window.Taps(outY, outX))
                    {
                        for (int inChannel = 0; inChannel < p.InputC; inChannel++)
                        {
                            int inputValue = input[tap.Pixel * p.InputC + inChannel];
                            int filterValue = filter[(outChannel * window.Size + tap.Index) * p.InputC + inChannel];
                            sum += filterValue * (inputValue - p.InputZeroPoint);
                        }
                    }

                    int index = (outY * p.OutputW + outX) * p.OutputC + outChannel;
                    output[index] = requantizer.Apply(outChannel, sum, mask, index);
                }
            }
        }
    }
}
