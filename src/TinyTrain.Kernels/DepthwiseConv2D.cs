namespace TinyTrain.Kernels;

/// <summary>
/// int8 NHWC depthwise convolution, filter [1, KernelH, KernelW, OutputC] (see <see cref="DepthwiseConv2DParams"/>).
/// Bit-exact with TFLite Micro's reference_integer_ops::DepthwiseConvPerChannel in FixedPoint mode. Entry points take
/// a <see cref="VectorWidth"/> as <see cref="Conv2D"/>'s do.
/// </summary>
public static partial class DepthwiseConv2D
{
    /// <summary>
    /// y[oy, ox, oc] = requant(sum over in-image (ky, kx) of W[ky, kx, oc] * (x[iy, ix, oc / M] - zp) + bias[oc]), and
    /// with a mask (empty: none) the clamp bits. The sum is exact in int64. Each tap adds at most 128 * 255 = 32640 in
    /// magnitude, so TFLite's int32 accumulator is exact for any real kernel size; FixedPoint requantisation uses the
    /// sum mod 2^32 as TFLite does.
    /// </summary>
    internal static void Forward(
        DepthwiseConv2DParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias, Span<sbyte> output,
        Span<byte> mask, VectorWidth width)
    {
        ConvLike.ValidateForward(p, input.Length, filter.Length, bias.Length, output.Length, mask);
        if (width == VectorWidth.Scalar || !Vectorizes(p)) ForwardReference(p, input, filter, bias, output, mask);
        else ForwardVectorized(p, input, filter, bias, output, mask, width);
    }

    /// <summary>The spec: plain loops, on validated arguments; an empty mask records nothing.</summary>
    private static void ForwardReference(
        DepthwiseConv2DParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias, Span<sbyte> output,
        Span<byte> mask)
    {
        var requantizer = new Requantizer(p.Requant, bias, p.OutputZeroPoint, p.ActMin, p.ActMax);
        int outputC = p.OutputC;
        var window = new ConvWindow(p);
        for (int outY = 0; outY < p.OutputH; outY++)
        {
            for (int outX = 0; outX < p.OutputW; outX++)
            {
                for (int inChannel = 0; inChannel < p.InputC; inChannel++)
                {
                    for (int multiplier = 0; multiplier < p.DepthMultiplier; multiplier++)
                    {
                        int outChannel = inChannel * p.DepthMultiplier + multiplier;
                        long sum = 0;
                        foreach (var tap in window.Taps(outY, outX))
                        {
                            int inputValue = input[tap.Pixel * p.InputC + inChannel];
                            int filterValue = filter[tap.Index * outputC + outChannel];
                            sum += filterValue * (inputValue - p.InputZeroPoint);
                        }

                        int index = (outY * p.OutputW + outX) * outputC + outChannel;
                        output[index] = requantizer.Apply(outChannel, sum, mask, index);
                    }
                }
            }
        }
    }
}
