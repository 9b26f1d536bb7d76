using TinyTrain.Kernels;

namespace TinyTrain.Tests.Kernels;

/// <summary>Seeded random tensors and parameters for the kernel property tests.</summary>
internal static class KernelRandom
{
    public static readonly VectorWidth[] Widths = [VectorWidth.Bits128, VectorWidth.Bits256, VectorWidth.Bits512];

    public static sbyte[] Int8(Random random, int length)
    {
        var values = new sbyte[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (sbyte)random.Next(sbyte.MinValue, sbyte.MaxValue + 1);
        }

        return values;
    }

    public static int ZeroPoint(Random random) => random.Next(4) == 0 ? -128 : random.Next(-128, 128);

    /// <summary>Empty (no bias), small, or with the saturated int32 extremes the paper's dead channels carry.</summary>
    public static int[] Bias(Random random, int channels)
    {
        int kind = random.Next(4);
        if (kind == 0)
        {
            return [];
        }

        var bias = new int[channels];
        for (int i = 0; i < channels; i++)
        {
            bias[i] = kind == 3 && random.Next(3) == 0
                ? (random.Next(2) == 0 ? int.MinValue : int.MaxValue)
                : random.Next(-40000, 40000);
        }

        return bias;
    }

    /// <summary>Per-channel (or, one time in four, per-tensor) requantisation in the given mode.</summary>
    public static Requantization Requant(Random random, RequantMode mode, int channels)
    {
        int count = random.Next(4) == 0 ? 1 : channels;
        if (mode == RequantMode.Float)
        {
            var scales = new float[count];
            for (int i = 0; i < count; i++)
            {
                // Powers of two make exact .5 ties common, which is where rounding modes differ.
                scales[i] = random.Next(3) == 0
                    ? MathF.ScaleB(1f, -random.Next(4, 14))
                    : (float)Math.Exp(random.NextDouble() * Math.Log(1e-2 / 1e-5)) * 1e-5f;
            }

            return Requantization.FromFloat(scales);
        }

        var multipliers = new int[count];
        var shifts = new int[count];
        for (int i = 0; i < count; i++)
        {
            double real = Math.Exp(random.NextDouble() * Math.Log(1.5 / 1e-5)) * 1e-5;
            (multipliers[i], shifts[i]) = QuantizedMultiplier.QuantizeMultiplier(real);
        }

        return Requantization.FromFixedPoint(multipliers, shifts);
    }

    public static RequantMode Mode(Random random) => random.Next(2) == 0 ? RequantMode.Float : RequantMode.FixedPoint;

    /// <summary>Full int8 range, a ReLU (zero point up), or a ReLU6-like window.</summary>
    public static (int Min, int Max) Activation(Random random, int outputZeroPoint) => random.Next(3) switch
    {
        0 => (-128, 127),
        1 => (outputZeroPoint, 127),
        _ => (outputZeroPoint, Math.Min(127, outputZeroPoint + random.Next(1, 200))),
    };

    /// <summary>Fails with the first differing index and the case's parameters.</summary>
    public static void AssertSame(ReadOnlySpan<sbyte> expected, ReadOnlySpan<sbyte> actual, object context)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (expected[i] != actual[i])
            {
                Assert.Fail($"first difference at {i}: expected {expected[i]}, got {actual[i]}; case {context}");
            }
        }
    }
}
