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

    /// <summary>A conv-like window: kernel 1/3/5/7 (one time in four non-square), stride 1/2, dilation 1 or (one time in five) 2.</summary>
    public static Window RandomWindow(Random random)
    {
        int[] kernels = [1, 3, 5, 7];
        int kernelH = kernels[random.Next(4)];
        int kernelW = random.Next(4) == 0 ? kernels[random.Next(4)] : kernelH;
        int strideH = random.Next(1, 3), strideW = random.Next(1, 3);
        int dilationH = random.Next(5) == 0 ? 2 : 1, dilationW = random.Next(5) == 0 ? 2 : 1;
        return new(kernelH, kernelW, strideH, strideW, dilationH, dilationW);
    }

    /// <summary>
    /// An input of 1 to inputBelow - 1 rows and columns with any padding short of the dilated window on each side, and the
    /// output it gives; null when the padded input is smaller than the window (draw again).
    /// </summary>
    public static Placement? RandomPlacement(Random random, Window window, int inputBelow)
    {
        int inputH = random.Next(1, inputBelow), inputW = random.Next(1, inputBelow);
        int effectiveH = (window.KernelH - 1) * window.DilationH + 1, effectiveW = (window.KernelW - 1) * window.DilationW + 1;
        int padTop = random.Next(effectiveH), padBottom = random.Next(effectiveH);
        int padLeft = random.Next(effectiveW), padRight = random.Next(effectiveW);
        int spanH = inputH + padTop + padBottom - effectiveH, spanW = inputW + padLeft + padRight - effectiveW;
        return spanH < 0 || spanW < 0
            ? null
            : new Placement(inputH, inputW, spanH / window.StrideH + 1, spanW / window.StrideW + 1, padTop, padLeft);
    }

    public readonly record struct Window(int KernelH, int KernelW, int StrideH, int StrideW, int DilationH, int DilationW);

    public readonly record struct Placement(int InputH, int InputW, int OutputH, int OutputW, int PadTop, int PadLeft);

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
