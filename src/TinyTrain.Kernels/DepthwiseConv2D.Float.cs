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
        for (int outY = 0; outY < p.OutputH; outY++)
        {
            int inYOrigin = outY * p.StrideH - p.PadTop;
            for (int outX = 0; outX < p.OutputW; outX++)
            {
                int inXOrigin = outX * p.StrideW - p.PadLeft;
                for (int outChannel = 0; outChannel < outputC; outChannel++)
                {
                    int inChannel = outChannel / p.DepthMultiplier;
                    float sum = 0;
                    for (int filterY = 0; filterY < p.KernelH; filterY++)
                    {
                        int inY = inYOrigin + p.DilationH * filterY;
                        for (int filterX = 0; filterX < p.KernelW; filterX++)
                        {
                            int inX = inXOrigin + p.DilationW * filterX;
                            if (inY < 0 || inY >= p.InputH || inX < 0 || inX >= p.InputW)
                            {
                                continue;
                            }

                            float inputValue = input[(inY * p.InputW + inX) * p.InputC + inChannel];
                            float filterValue = filter[(filterY * p.KernelW + filterX) * outputC + outChannel];
                            sum += filterValue * inputValue;
                        }
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
