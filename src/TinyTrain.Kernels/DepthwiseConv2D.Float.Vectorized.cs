namespace TinyTrain.Kernels;

public static partial class DepthwiseConv2D
{
    // The per-pixel accumulator row lives on the stack; wider layers use the reference.
    private const int MaxFloatRowChannels = 4096;

    /// <summary>
    /// DepthMultiplier 1: per output pixel, a stack row of channel sums takes W[ky, kx, :] .* x[iy, ix, :] tap by tap
    /// (<see cref="Axpy.Pointwise(VectorWidth, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>), the
    /// reference's order for every channel, then the bias: bit-identical to the reference. Validated arguments,
    /// mask cleared or empty.
    /// </summary>
    private static void ForwardFloatVectorized(
        DepthwiseConv2DParams p, ReadOnlySpan<float> input, ReadOnlySpan<float> filter, ReadOnlySpan<float> bias, Span<float> output,
        float min, float max, Span<byte> mask, VectorWidth width)
    {
        int channels = p.InputC;
        Span<float> sums = stackalloc float[channels];
        var window = new ConvWindow(p);
        for (int outY = 0; outY < p.OutputH; outY++)
        {
            for (int outX = 0; outX < p.OutputW; outX++)
            {
                sums.Clear();
                foreach (var tap in window.Taps(outY, outX))
                {
                    Axpy.Pointwise(width, filter.Slice(tap.Index * channels, channels), input.Slice(tap.Pixel * channels, channels), sums);
                }

                int pixelIndex = (outY * p.OutputW + outX) * channels;
                for (int channel = 0; channel < channels; channel++)
                {
                    float sum = bias.IsEmpty ? sums[channel] : sums[channel] + bias[channel];
                    output[pixelIndex + channel] = ClampMask.Apply(sum, min, max, mask, pixelIndex + channel);
                }
            }
        }
    }
}
