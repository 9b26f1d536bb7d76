namespace TinyTrain.Kernels;

/// <summary>
/// Backward of the average pool (paper-notes §2.2: broadcast g_y / count), and its fp32 forward for the fp32
/// baseline. The int8 pool's clamp is not masked: with the full int8 range an average of int8 values never
/// leaves it, which is how the paper's models use the pool.
/// </summary>
public static partial class AveragePool2D
{
    /// <summary>
    /// inputGrad[iy, ix, c] = sum over the windows (oy, ox) covering (iy, ix) of outputGrad[oy, ox, c] / count(oy,
    /// ox), count being the window's in-image positions (padding takes no gradient). Overwrites inputGrad; the
    /// windows add in (oy, ox) order, each share one float32 division.
    /// </summary>
    public static void Backward(PoolParams p, ReadOnlySpan<float> outputGrad, Span<float> inputGrad)
    {
        ValidateGeometry(p);
        Check.Length(outputGrad, (long)p.OutputH * p.OutputW * p.Channels, nameof(outputGrad));
        Check.Length(inputGrad, (long)p.InputH * p.InputW * p.Channels, nameof(inputGrad));
        inputGrad.Clear();
        for (int outY = 0; outY < p.OutputH; outY++)
        {
            int inYOrigin = outY * p.StrideH - p.PadTop;
            for (int outX = 0; outX < p.OutputW; outX++)
            {
                int inXOrigin = outX * p.StrideW - p.PadLeft;
                int count = Window(p, outY, outX, out int filterYStart, out int filterYEnd, out int filterXStart, out int filterXEnd);
                for (int channel = 0; channel < p.Channels; channel++)
                {
                    float share = outputGrad[(outY * p.OutputW + outX) * p.Channels + channel] / (float)count;
                    for (int filterY = filterYStart; filterY < filterYEnd; filterY++)
                    {
                        for (int filterX = filterXStart; filterX < filterXEnd; filterX++)
                        {
                            inputGrad[((inYOrigin + filterY) * p.InputW + inXOrigin + filterX) * p.Channels + channel] += share;
                        }
                    }
                }
            }
        }
    }

    /// <summary>The fp32 forward: y[oy, ox, c] = (sum of in-image x[iy, ix, c], row by row) / count, no clamp.</summary>
    public static void ForwardFloat(PoolParams p, ReadOnlySpan<float> input, Span<float> output)
    {
        ValidateGeometry(p);
        Check.Length(input, (long)p.InputH * p.InputW * p.Channels, nameof(input));
        Check.Length(output, (long)p.OutputH * p.OutputW * p.Channels, nameof(output));
        for (int outY = 0; outY < p.OutputH; outY++)
        {
            int inYOrigin = outY * p.StrideH - p.PadTop;
            for (int outX = 0; outX < p.OutputW; outX++)
            {
                int inXOrigin = outX * p.StrideW - p.PadLeft;
                int count = Window(p, outY, outX, out int filterYStart, out int filterYEnd, out int filterXStart, out int filterXEnd);
                for (int channel = 0; channel < p.Channels; channel++)
                {
                    float sum = 0;
                    for (int filterY = filterYStart; filterY < filterYEnd; filterY++)
                    {
                        for (int filterX = filterXStart; filterX < filterXEnd; filterX++)
                        {
                            sum += input[((inYOrigin + filterY) * p.InputW + inXOrigin + filterX) * p.Channels + channel];
                        }
                    }

                    output[(outY * p.OutputW + outX) * p.Channels + channel] = sum / (float)count;
                }
            }
        }
    }
}
