namespace TinyTrain.Kernels;

/// <summary>
/// The fp32 forward of the same depthwise conv, for the fp32 baseline (see <see cref="Conv2D"/>'s):
/// only the geometry of <see cref="DepthwiseConv2DParams"/> is read.
/// </summary>
public static partial class DepthwiseConv2D
{
    /// <summary>
    /// y[oy, ox, oc] = clamp(sum over in-image (ky, kx) of W[ky, kx, oc] * x[iy, ix, oc / M] + bias[oc], min, max), and
    /// with a mask (empty: none) the clamp bits.
    /// </summary>
    internal static void ForwardFloat(
        DepthwiseConv2DParams p, ReadOnlySpan<float> input, ReadOnlySpan<float> filter, ReadOnlySpan<float> bias, Span<float> output,
        float min, float max, Span<byte> mask, VectorWidth width)
    {
        ConvLike.ValidateFloat(p, input.Length, filter.Length, bias.Length, output.Length, min, max, mask);
        if (width == VectorWidth.Scalar || p.DepthMultiplier != 1 || p.InputC > MaxFloatRowChannels) ForwardFloatReference(p, input, filter, bias, output, min, max, mask);
        else ForwardFloatVectorized(p, input, filter, bias, output, min, max, mask, width);
    }

    /// <summary>The spec: plain loops; the sum runs over (ky, kx) from 0, then the bias is added.</summary>
    private static void ForwardFloatReference(
        DepthwiseConv2DParams p, ReadOnlySpan<float> input, ReadOnlySpan<float> filter, ReadOnlySpan<float> bias, Span<float> output,
        float min, float max, Span<byte> mask)
    {
        int outputC = p.OutputC;
        var window = new ConvWindow(p);
        for (int outY = 0; outY < p.OutputH; outY++)
        {
            for (int outX = 0; outX < p.OutputW; outX++)
            {
                for (int outChannel = 0; outChannel < outputC; outChannel++)
                {
                    int inChannel = outChannel / p.DepthMultiplier;
                    float sum = 0;
                    foreach (var tap in window.Taps(outY, outX))
                    {
                        float inputValue = input[tap.Pixel * p.InputC + inChannel];
                        float filterValue = filter[tap.Index * outputC + outChannel];
                        sum += filterValue * inputValue;
                    }

                    if (!bias.IsEmpty)
                    {
                        sum += bias[outChannel];
                    }

                    int index = (outY * p.OutputW + outX) * outputC + outChannel;
                    output[index] = ClampMask.Apply(sum, min, max, mask, index);
                }
            }
        }
    }
}
