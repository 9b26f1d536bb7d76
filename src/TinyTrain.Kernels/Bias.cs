namespace TinyTrain.Kernels;

/// <summary>Bias gradient of a conv-like op (paper-notes §2.2): g_bias[c] = sum over pixels of g_acc[pixel, c].</summary>
public static class Bias
{
    /// <summary>biasGrad[c] = sum over p of accGrad[p * channels + c] (overwrites biasGrad).</summary>
    public static void Grad(ReadOnlySpan<float> accGrad, int channels, Span<float> biasGrad)
    {
        if (VectorWidths.UseVectorized)
        {
            GradVectorized(accGrad, channels, biasGrad);
        }
        else
        {
            GradReference(accGrad, channels, biasGrad);
        }
    }

    /// <summary>The spec: each channel adds its pixels in order from 0.</summary>
    public static void GradReference(ReadOnlySpan<float> accGrad, int channels, Span<float> biasGrad)
    {
        Validate(accGrad, channels, biasGrad);
        biasGrad.Clear();
        for (int pixel = 0; pixel < accGrad.Length / channels; pixel++)
        {
            for (int channel = 0; channel < channels; channel++)
            {
                biasGrad[channel] += accGrad[pixel * channels + channel];
            }
        }
    }

    /// <summary>One vector add of each pixel's row: the same sums in the same order, bit-identical.</summary>
    public static void GradVectorized(ReadOnlySpan<float> accGrad, int channels, Span<float> biasGrad) =>
        GradVectorized(accGrad, channels, biasGrad, VectorWidths.Preferred);

    internal static void GradVectorized(ReadOnlySpan<float> accGrad, int channels, Span<float> biasGrad, VectorWidth width)
    {
        Validate(accGrad, channels, biasGrad);
        biasGrad.Clear();
        for (int start = 0; start < accGrad.Length; start += channels)
        {
            Elementwise.AddInPlaceVectorized(biasGrad, accGrad.Slice(start, channels), width);
        }
    }

    private static void Validate(ReadOnlySpan<float> accGrad, int channels, ReadOnlySpan<float> biasGrad)
    {
        Check.Positive(channels, nameof(channels));
        if (accGrad.Length % channels != 0)
        {
            throw new ArgumentException($"accGrad has {accGrad.Length} elements, not a multiple of {channels} channels", nameof(accGrad));
        }

        Check.Length(biasGrad, channels, nameof(biasGrad));
    }
}
