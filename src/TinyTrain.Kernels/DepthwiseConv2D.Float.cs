namespace TinyTrain.Kernels;

/// <summary>
/// The fp32 forward of the same depthwise conv, for the fp32 baseline (see <see cref="Conv2D.ForwardFloat"/>):
/// only the geometry of <see cref="DepthwiseConv2DParams"/> is read.
/// </summary>
public static partial class DepthwiseConv2D
{
    /// <summary>y[oy, ox, oc] = clamp(sum over in-image (ky, kx) of W[ky, kx, oc] * x[iy, ix, oc / M] + bias[oc], min, max).</summary>
    public static void ForwardFloat(
        DepthwiseConv2DParams p, ReadOnlySpan<float> input, ReadOnlySpan<float> filter, ReadOnlySpan<float> bias, Span<float> output,
        float min, float max)
    {
        if (VectorWidths.UseVectorized)
        {
            ForwardFloatVectorized(p, input, filter, bias, output, min, max);
        }
        else
        {
            ForwardFloatReference(p, input, filter, bias, output, min, max);
        }
    }

    /// <summary>The fp32 forward plus the clamp mask (bit = min &lt;= pre-clamp &lt;= max, see <see cref="ClampMask"/>).</summary>
    public static void ForwardFloatWithMask(
        DepthwiseConv2DParams p, ReadOnlySpan<float> input, ReadOnlySpan<float> filter, ReadOnlySpan<float> bias, Span<float> output,
        float min, float max, Span<byte> mask)
    {
        if (VectorWidths.UseVectorized)
        {
            ForwardFloatWithMaskVectorized(p, input, filter, bias, output, min, max, mask);
        }
        else
        {
            ForwardFloatWithMaskReference(p, input, filter, bias, output, min, max, mask);
        }
    }

    public static void ForwardFloatReference(
        DepthwiseConv2DParams p, ReadOnlySpan<float> input, ReadOnlySpan<float> filter, ReadOnlySpan<float> bias, Span<float> output,
        float min, float max)
    {
        ValidateFloat(p, input, filter, bias, output, min, max);
        ForwardFloatReference(p, input, filter, bias, output, min, max, Span<byte>.Empty);
    }

    public static void ForwardFloatWithMaskReference(
        DepthwiseConv2DParams p, ReadOnlySpan<float> input, ReadOnlySpan<float> filter, ReadOnlySpan<float> bias, Span<float> output,
        float min, float max, Span<byte> mask)
    {
        ValidateFloat(p, input, filter, bias, output, min, max);
        ClampMask.Validate(mask, p.OutputLength, nameof(mask));
        mask.Clear();
        ForwardFloatReference(p, input, filter, bias, output, min, max, mask);
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

    private static void ValidateFloat(
        DepthwiseConv2DParams p, ReadOnlySpan<float> input, ReadOnlySpan<float> filter, ReadOnlySpan<float> bias, ReadOnlySpan<float> output,
        float min, float max)
    {
        ValidateGeometry(p);
        ClampMask.ValidateRange(min, max);
        Check.Length(input, p.InputLength, nameof(input));
        Check.Length(filter, p.FilterLength, nameof(filter));
        Check.Bias(bias, p.OutputC);
        Check.Length(output, p.OutputLength, nameof(output));
    }
}
