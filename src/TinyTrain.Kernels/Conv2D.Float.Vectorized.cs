namespace TinyTrain.Kernels;

public static partial class Conv2D
{
    /// <summary>
    /// The SIMD path of <see cref="ForwardFloat"/>. Not bit-identical: each window is summed as vector dot products of
    /// its contiguous runs (<see cref="FloatDot"/>), so an output differs from the reference by float rounding only,
    /// at most 2 * (n - 1) * 2^-24 * (sum |W * x| + |bias|) for a window of n = KernelH * KernelW * InputC terms.
    /// Validated arguments of at most <see cref="MaxVectorWindowTaps"/> taps, mask cleared or empty.
    /// </summary>
    private static void ForwardFloatVectorized(
        Conv2DParams p, ReadOnlySpan<float> input, ReadOnlySpan<float> filter, ReadOnlySpan<float> bias, Span<float> output,
        float min, float max, Span<byte> mask, VectorWidth width)
    {
        int taps = p.KernelH * p.KernelW;
        Span<int> segments = stackalloc int[3 * taps];
        int filterStride = taps * p.InputC;
        for (int outY = 0; outY < p.OutputH; outY++)
        {
            for (int outX = 0; outX < p.OutputW; outX++)
            {
                ReadOnlySpan<int> window = segments[..BuildSegments(p, outY, outX, segments)];
                int pixelIndex = (outY * p.OutputW + outX) * p.OutputC;
                for (int outChannel = 0; outChannel < p.OutputC; outChannel++)
                {
                    float sum = 0;
                    for (int s = 0; s < window.Length; s += 3)
                    {
                        sum += FloatDot.Dot(
                            width, input.Slice(window[s], window[s + 2]), filter.Slice(outChannel * filterStride + window[s + 1], window[s + 2]));
                    }

                    if (!bias.IsEmpty)
                    {
                        sum += bias[outChannel];
                    }

                    output[pixelIndex + outChannel] = ClampMask.Apply(sum, min, max, mask, pixelIndex + outChannel);
                }
            }
        }
    }
}
