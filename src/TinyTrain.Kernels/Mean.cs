namespace TinyTrain.Kernels;

/// <summary>
/// int8 mean over H and W of an NHWC tensor, keeping dims (see <see cref="MeanParams"/>). Bit-exact with current
/// TFLite Micro, whose int8 MEAN runs reference_ops::QuantizedMeanOrSum: the 1/n factor is folded into the
/// input/output multiplier and the zero-point-corrected sum is requantised once.
/// </summary>
public static class Mean
{
    /// <summary>y[c] = clamp(MultiplyByQuantizedMultiplier(sum_hw x - n * xzp, M / n, shift) + yzp) with n = H * W.</summary>
    public static void Forward(MeanParams p, ReadOnlySpan<sbyte> input, Span<sbyte> output)
    {
        Validate(p, input, output);
        int count = p.InputH * p.InputW;
        if (count == 0)
        {
            output.Clear(); // TFLite leaves the zero-initialised output of an empty reduction.
            return;
        }

        var (multiplier, shift) = FoldCount(p.Multiplier, p.Shift, count);
        for (int channel = 0; channel < p.Channels; channel++)
        {
            int sum = 0;
            for (int y = 0; y < p.InputH; y++)
            {
                for (int x = 0; x < p.InputW; x++)
                {
                    sum += input[(y * p.InputW + x) * p.Channels + channel];
                }
            }

            // TFLite subtracts n * zp in int64 and narrows to int32 (wrapping).
            int centered = unchecked((int)(sum - (long)p.InputZeroPoint * count));
            int value = unchecked(FixedPoint.MultiplyByQuantizedMultiplier(centered, multiplier, shift) + p.OutputZeroPoint);
            output[channel] = (sbyte)Math.Clamp(value, sbyte.MinValue, sbyte.MaxValue);
        }
    }

    /// <summary>The fp32 mode's mean: y[c] = sum over H, W of x[., ., c] / (H * W), summed in scan order.</summary>
    public static void ForwardFloat(int height, int width, int channels, ReadOnlySpan<float> input, Span<float> output)
    {
        Check.Length(input, (long)height * width * channels, nameof(input));
        Check.Length(output, channels, nameof(output));
        var count = height * width;
        for (var channel = 0; channel < channels; channel++)
        {
            var sum = 0f;
            for (var i = 0; i < count; i++) sum += input[i * channels + channel];
            output[channel] = sum / count;
        }
    }

    /// <summary>The input gradient: output[h, w, c] = gradient[c] * scale at every one of the H * W positions.</summary>
    public static void Backward(int positions, int channels, float scale, ReadOnlySpan<float> gradient, Span<float> output)
    {
        Check.Length(gradient, channels, nameof(gradient));
        Check.Length(output, (long)positions * channels, nameof(output));
        for (var i = 0; i < positions; i++)
        {
            for (var channel = 0; channel < channels; channel++) output[i * channels + channel] = gradient[channel] * scale;
        }
    }

    /// <summary>
    /// TFLite's rescaling for the mean: shift by floor(log2 n) (at most 32, and at most 31 + shift so the result
    /// stays a valid shift), then integer-divide the multiplier by n.
    /// </summary>
    internal static (int Multiplier, int Shift) FoldCount(int multiplier, int shift, long count)
    {
        int log2 = 63 - System.Numerics.BitOperations.LeadingZeroCount((ulong)count);
        log2 = Math.Min(log2, 32);
        log2 = Math.Min(log2, 31 + shift);
        return ((int)(((long)multiplier << log2) / count), shift - log2);
    }

    /// <summary>TFLite Micro's Prepare: QuantizeMultiplier(input_scale / output_scale), scales rounded to float32 first.</summary>
    public static MeanParams Create(
        int inputH, int inputW, int channels, double inputScale, int inputZeroPoint, double outputScale, int outputZeroPoint)
    {
        double realMultiplier = (double)(float)inputScale / (double)(float)outputScale;
        var (multiplier, shift) = QuantizedMultiplier.QuantizeMultiplier(realMultiplier);
        return new MeanParams(inputH, inputW, channels, inputZeroPoint, outputZeroPoint, multiplier, shift);
    }

    private static void Validate(MeanParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> output)
    {
        ArgumentNullException.ThrowIfNull(p);
        Check.NonNegative(p.InputH, nameof(p.InputH));
        Check.NonNegative(p.InputW, nameof(p.InputW));
        Check.NonNegative(p.Channels, nameof(p.Channels));
        Check.Int8(p.InputZeroPoint, nameof(p.InputZeroPoint));
        Check.Int8(p.OutputZeroPoint, nameof(p.OutputZeroPoint));
        if (p.Shift < -31 || p.Shift > 31)
        {
            throw new ArgumentException($"mean shift {p.Shift} out of range");
        }

        if ((long)p.InputH * p.InputW > 1 << 23)
        {
            throw new ArgumentException($"mean over {p.InputH}x{p.InputW} positions overflows the int32 sum");
        }

        Check.Length(input, (long)p.InputH * p.InputW * p.Channels, nameof(input));
        Check.Length(output, p.Channels, nameof(output));
    }
}
