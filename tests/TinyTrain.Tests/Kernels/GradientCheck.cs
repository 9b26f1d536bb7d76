using TinyTrain.Kernels;

namespace TinyTrain.Tests.Kernels;

/// <summary>
/// Finite-difference checks of the fp32 backward kernels. The losses are L = sum_i r_i * y_i (r random) around
/// the fp32 forward kernels, summed in double; each parameter is moved by +-eps and the central difference is
/// compared with the analytic gradient. The forward kernels are piecewise linear, so the difference is exact up
/// to float32 rounding as long as no pre-clamp value crosses a clamp bound (<see cref="SafeRange"/> sees to it).
/// </summary>
internal static class GradientCheck
{
    public const float Eps = 1e-2f;

    public static float[] Floats(Random random, int length, float scale = 1f)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (float)(random.NextDouble() * 2 - 1) * scale;
        }

        return values;
    }

    public static double Dot(ReadOnlySpan<float> weights, ReadOnlySpan<float> values)
    {
        double sum = 0;
        for (int i = 0; i < values.Length; i++)
        {
            sum += (double)weights[i] * values[i];
        }

        return sum;
    }

    /// <summary>
    /// A clamp range with each bound in the widest gap between sorted pre-clamp values around the 20th and 80th
    /// percentiles, so some outputs are clamped on each side (the mask matters) and none is within margin of a
    /// bound (no kink is crossed by a +-eps move). Fewer than five values: no clamp.
    /// </summary>
    public static (float Min, float Max) SafeRange(ReadOnlySpan<float> pre, float margin)
    {
        if (pre.Length < 5)
        {
            return (float.NegativeInfinity, float.PositiveInfinity);
        }

        var sorted = pre.ToArray();
        Array.Sort(sorted);
        float min = WidestGap(sorted, sorted.Length / 10, sorted.Length * 3 / 10 + 1, margin);
        float max = WidestGap(sorted, sorted.Length * 7 / 10, sorted.Length * 9 / 10 + 1, margin);
        return (min, max);
    }

    private static float WidestGap(float[] sorted, int from, int to, float margin)
    {
        int best = from;
        for (int k = from; k < to && k + 1 < sorted.Length; k++)
        {
            if (sorted[k + 1] - sorted[k] > sorted[best + 1] - sorted[best])
            {
                best = k;
            }
        }

        float gap = sorted[best + 1] - sorted[best];
        Assert.True(gap > 2 * margin, $"no gap wider than {2 * margin} near index {from}: test case too dense");
        return (sorted[best] + sorted[best + 1]) / 2;
    }

    /// <summary>An fp32 layer forward (conv, depthwise, fully connected) with its operands bound but these.</summary>
    public delegate void FloatForward(
        ReadOnlySpan<float> input, ReadOnlySpan<float> filter, ReadOnlySpan<float> bias, Span<float> output, float min, float max, Span<byte> mask);

    /// <summary>
    /// A random layer (input, filter, bias and r drawn in that order) clamped to its <see cref="SafeRange"/>: its clamp
    /// mask, the accumulator gradient of L through it, the bias gradient, and L itself.
    /// </summary>
    public static Layer ClampedLayer(Random random, int inputLength, int filterLength, int channels, int outputLength, FloatForward forward)
    {
        var input = Floats(random, inputLength);
        var filter = Floats(random, filterLength);
        var bias = Floats(random, channels);
        var r = Floats(random, outputLength);
        var output = new float[outputLength];
        forward(input, filter, bias, output, float.NegativeInfinity, float.PositiveInfinity, default);
        var (min, max) = SafeRange(output, 2 * Eps);

        var mask = new byte[ClampMask.ByteLength(outputLength)];
        forward(input, filter, bias, output, min, max, mask);
        var accGrad = new float[outputLength];
        KernelSet.Fast.AccumulatorGrad(r, mask, [1f], channels, accGrad);
        var biasGrad = new float[channels];
        KernelSet.Fast.BiasGrad(accGrad, channels, biasGrad);
        return new Layer(input, filter, bias, mask, accGrad, biasGrad, () =>
        {
            forward(input, filter, bias, output, min, max, default);
            return Dot(r, output);
        });
    }

    public sealed record Layer(float[] Input, float[] Filter, float[] Bias, byte[] Mask, float[] AccGrad, float[] BiasGrad, Func<double> Loss)
    {
        /// <summary>The input gradient, the filter gradient (null: not checked) and the bias gradient against central differences.</summary>
        public void AssertGradients(ReadOnlySpan<float> inputGrad, float[]? filterGrad)
        {
            AssertMatches(Input, inputGrad, Loss, "input");
            if (filterGrad != null)
            {
                AssertMatches(Filter, filterGrad, Loss, "filter");
            }

            AssertMatches(Bias, BiasGrad, Loss, "bias");
        }
    }

    /// <summary>Central differences of loss over every element of parameter against analytic.</summary>
    public static void AssertMatches(float[] parameter, ReadOnlySpan<float> analytic, Func<double> loss, string what, float eps = Eps)
    {
        Assert.Equal(parameter.Length, analytic.Length);
        for (int i = 0; i < parameter.Length; i++)
        {
            float saved = parameter[i];
            parameter[i] = saved + eps;
            double plus = loss();
            float up = parameter[i];
            parameter[i] = saved - eps;
            double minus = loss();
            float down = parameter[i];
            parameter[i] = saved;
            double numeric = (plus - minus) / ((double)up - down);
            double tolerance = 1e-2 * Math.Max(Math.Abs(numeric), Math.Abs(analytic[i])) + 2e-3;
            Assert.True(
                Math.Abs(numeric - analytic[i]) <= tolerance,
                $"{what}[{i}]: analytic {analytic[i]}, central difference {numeric}");
        }
    }

    /// <summary>Every float equal bit for bit (so +0 and -0 differ, and NaNs must match).</summary>
    public static void AssertBitwise(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, object context)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                Assert.Fail($"first difference at {i}: expected {expected[i]:R}, got {actual[i]:R}; case {context}");
            }
        }
    }

    /// <summary>A gradient with about a third of its entries exactly 0 (masked out), as the backward pass sees.</summary>
    public static float[] SparseGradient(Random random, int length)
    {
        var values = Floats(random, length, 2f);
        for (int i = 0; i < length; i++)
        {
            if (random.Next(3) == 0)
            {
                values[i] = random.Next(4) == 0 ? -0f : 0f;
            }
        }

        return values;
    }

    public static float[] ToFloat(ReadOnlySpan<sbyte> values, int zeroPoint = 0)
    {
        var result = new float[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            result[i] = values[i] - zeroPoint;
        }

        return result;
    }

    public static int[] AllChannels(int channels) => Enumerable.Range(0, channels).ToArray();

    /// <summary>A random selection of k distinct channels in random order.</summary>
    public static int[] SomeChannels(Random random, int channels)
    {
        int[] all = AllChannels(channels);
        random.Shuffle(all);
        return all[..random.Next(0, channels + 1)];
    }
}
