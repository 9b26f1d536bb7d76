namespace TinyTrain.Kernels;

/// <summary>Bias gradient of a conv-like op (paper-notes §2.2): g_bias[c] = sum over pixels of g_acc[pixel, c].</summary>
public static class Bias
{
    /// <summary>
    /// biasGrad[c] = sum over p of accGrad[p * channels + c] (overwrites biasGrad): each channel adds its pixels in
    /// order from 0, one pixel's row at a time (<see cref="Elementwise.AddInPlace"/>, scalar or one vector add per lane).
    /// </summary>
    internal static void Grad(ReadOnlySpan<float> accGrad, int channels, Span<float> biasGrad, VectorWidth width)
    {
        Validate(accGrad, channels, biasGrad);
        biasGrad.Clear();
        for (int start = 0; start < accGrad.Length; start += channels)
        {
            Elementwise.AddInPlace(biasGrad, accGrad.Slice(start, channels), width);
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
