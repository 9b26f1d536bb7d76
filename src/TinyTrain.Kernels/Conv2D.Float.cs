namespace TinyTrain.Kernels;

/// <summary>
/// The fp32 forward of the same conv, for the fp32 baseline of a graph: real-valued weights, inputs and bias, the
/// activation realised as a clamp to [min, max] (ReLU6 is [0, 6]; no activation is +-infinity). Only the
/// geometry of <see cref="Conv2DParams"/> is read; zero points and requantisation are ignored.
/// </summary>
public static partial class Conv2D
{
    /// <summary>
    /// y[oy, ox, oc] = clamp(sum over in-image (ky, kx), ic of W[oc, ky, kx, ic] * x[iy, ix, ic] + bias[oc], min, max),
    /// and with a mask (empty: none) the clamp bits (bit = min &lt;= pre-clamp &lt;= max, see <see cref="ClampMask"/>).
    /// </summary>
    internal static void ForwardFloat(
        Conv2DParams p, ReadOnlySpan<float> input, ReadOnlySpan<float> filter, ReadOnlySpan<float> bias, Span<float> output,
        float min, float max, Span<byte> mask, VectorWidth width)
    {
        ConvLike.ValidateFloat(p, input.Length, filter.Length, bias.Length, output.Length, min, max, mask);
        if (width == VectorWidth.Scalar || p.KernelH * p.KernelW > MaxVectorWindowTaps) ForwardFloatReference(p, input, filter, bias, output, min, max, mask);
        else ForwardFloatVectorized(p, input, filter, bias, output, min, max, mask, width);
    }

    /// <summary>The spec: plain loops; the sum runs over (ky, kx, ic) from 0, then the bias is added.</summary>
    private static void ForwardFloatReference(
        Conv2DParams p, ReadOnlySpan<float> input, ReadOnlySpan<float> filter, ReadOnlySpan<float> bias, Span<float> output,
        float min, float max, Span<byte> mask)
    {
        var window = new ConvWindow(p);
        for (int outY = 0; outY < p.OutputH; outY++)
        {
            for (int outX = 0; outX < p.OutputW; outX++)
            {
                for (int outChannel = 0; outChannel < p.OutputC; outChannel++)
                {
                    float sum = 0;
                    foreach (var tap in window.Taps(outY, outX))
                    {
                        for (int inChannel = 0; inChannel < p.InputC; inChannel++)
                        {
                            float inputValue = input[tap.Pixel * p.InputC + inChannel];
                            float filterValue = filter[(outChannel * window.Size + tap.Index) * p.InputC + inChannel];
                            sum += filterValue * inputValue;
                        }
                    }

                    if (!bias.IsEmpty)
                    {
                        sum += bias[outChannel];
                    }

                    int index = (outY * p.OutputW + outX) * p.OutputC + outChannel;
                    output[index] = ClampMask.Apply(sum, min, max, mask, index);
                }
            }
        }
    }
}
