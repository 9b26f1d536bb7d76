using TinyTrain.Kernels;

namespace TinyTrain.Tests.Kernels;

public class Conv2DTests
{
    // x - zp is 0..15 row-major: the input is 1..16 with zero point 1.
    private static readonly sbyte[] Input4x4 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];

    // Sobel-x, OHWI with one output and one input channel.
    private static readonly sbyte[] Sobel = [1, 0, -1, 2, 0, -2, 1, 0, -1];

    private static Conv2DParams Sobel4x4(Requantization requant, int actMax) =>
        new(4, 4, 1, 4, 4, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, -2, -128, actMax, requant);

    [Fact]
    public void Reference_Sobel3x3OnPadded4x4_HandComputed()
    {
        // Sums of W * (x - zp) with the border skipped:
        //   -7  -6  -6  10 | -20 -8 -8 24 | -36 -8 -8 40 | -35 -6 -6 38
        // + bias 1, * 0.5, round half to even, + zp_out -2, clamp to [-128, 15]:
        //   -3 -2.5 -2.5 5.5 -> -3 -2 -2 6 -> -5 -4 -4 4
        //   -9.5 -3.5 -3.5 12.5 -> -10 -4 -4 12 -> -12 -6 -6 10
        //   -17.5 -3.5 -3.5 20.5 -> -18 -4 -4 20 -> -20 -6 -6 18 -> clamp 15
        //   -17 -2.5 -2.5 19.5 -> -17 -2 -2 20 -> -19 -4 -4 18 -> clamp 15
        sbyte[] expected = [-5, -4, -4, 4, -12, -6, -6, 10, -20, -6, -6, 15, -19, -4, -4, 15];
        var p = Sobel4x4(Requantization.FromFloat([0.5f]), actMax: 15);
        var output = new sbyte[16];
        KernelSet.Reference.Conv2DForward(p, Input4x4, Sobel, [1], output);
        Assert.Equal(expected, output);
    }

    [Fact]
    public void Reference_FixedPointRoundsHalfAwayFromZero()
    {
        // Same sums + bias; multiplier 2^30 with shift 0 is exactly * 0.5, done by SaturatingRoundingDoublingHighMul,
        // which rounds ties toward +infinity: -2.5 -> -2, 5.5 -> 6, -9.5 -> -9 (Float mode gave -10).
        sbyte[] expected = [-5, -4, -4, 4, -11, -5, -5, 11, -19, -5, -5, 19, -19, -4, -4, 18];
        var p = Sobel4x4(Requantization.FromFixedPoint([1 << 30], [0]), actMax: 127);
        var output = new sbyte[16];
        KernelSet.Reference.Conv2DForward(p, Input4x4, Sobel, [1], output);
        Assert.Equal(expected, output);
    }

    [Fact]
    public void Reference_StrideTwoDilationTwoAndTwoChannels_HandComputed()
    {
        // 5x5x2 input, zero point 0; 2x2 filter, dilation 2 (taps 2 apart), stride 2, no padding:
        // output 2x2 (taps at rows/cols {0,2} and {2,4}). Channel 0 is x = row * 5 + col, channel 1 is 1.
        var input = new sbyte[50];
        for (int i = 0; i < 25; i++)
        {
            input[2 * i] = (sbyte)i;
            input[2 * i + 1] = 1;
        }

        // One output channel: W = 1 on channel 0 at every tap, and 10 on channel 1 at tap (0, 0) only.
        sbyte[] filter = [1, 10, 1, 0, 1, 0, 1, 0];
        var p = new Conv2DParams(5, 5, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, -128, 127, Requantization.FromFloat([1f]));
        var output = new sbyte[4];
        KernelSet.Reference.Conv2DForward(p, input, filter, [], output);
        // Window at (0, 0): 0 + 2 + 10 + 12 + 10 = 34; (0, 1): 2 + 4 + 12 + 14 + 10 = 42;
        // (1, 0): 10 + 12 + 20 + 22 + 10 = 74; (1, 1): 12 + 14 + 22 + 24 + 10 = 82.
        Assert.Equal(new sbyte[] { 34, 42, 74, 82 }, output);
    }

    [Fact]
    public void Reference_SaturatedBiasIsAddedInInt64InFloatMode()
    {
        // 1x1 conv, one channel: sum = 100 * 127 = 12700; bias int.MaxValue. int32 would wrap negative.
        var p = new Conv2DParams(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, -128, 127, Requantization.FromFloat([1e-7f]));
        var output = new sbyte[1];
        KernelSet.Reference.Conv2DForward(p, [100], [127], [int.MaxValue], output);
        // (float)(2147483647 + 12700) * 1e-7 = 214.75 -> clamp 127.
        Assert.Equal(127, output[0]);

        var fixedPoint = p with { Requant = Requantization.FromFixedPoint([1 << 30], [-20]) };
        KernelSet.Reference.Conv2DForward(fixedPoint, [100], [127], [int.MaxValue], output);
        // TFLite adds in int32: 2147483647 + 12700 wraps to -2147470949; * 2^-21 = -1023.99 -> clamp -128.
        Assert.Equal(-128, output[0]);
    }

    [Theory]
    [Seeds(30)]
    public void Vectorized_MatchesReferenceBitForBit(int seed)
    {
        var random = new Random(1000 + seed);
        for (int trial = 0; trial < 6; trial++)
        {
            var (p, input, filter, bias) = RandomCase(random);
            KernelSets.AssertAgree(set => [Forward(set, p, input, filter, bias)], $"{p} bias {bias.Length}");
        }
    }

    private static sbyte[] Forward(KernelSet set, Conv2DParams p, sbyte[] input, sbyte[] filter, int[] bias)
    {
        var output = new sbyte[p.OutputLength];
        set.Conv2DForward(p, input, filter, bias, output);
        return output;
    }

    [Theory]
    [InlineData(16, 16, 96, 24)] // MobileNet pointwise project
    [InlineData(8, 8, 113, 67)] // 64 + 32 + 16 + 1 bytes per run
    [InlineData(4, 4, 255, 5)]
    [InlineData(3, 5, 1, 1)]
    public void Vectorized_Pointwise_MatchesReference(int height, int width, int inputC, int outputC)
    {
        var random = new Random(height * 1000 + inputC);
        foreach (var mode in new[] { RequantMode.Float, RequantMode.FixedPoint })
        {
            int zp = KernelRandom.ZeroPoint(random);
            var p = new Conv2DParams(height, width, inputC, height, width, outputC, 1, 1, 1, 1, 1, 1, 0, 0,
                zp, KernelRandom.ZeroPoint(random), -128, 127, KernelRandom.Requant(random, mode, outputC));
            var input = KernelRandom.Int8(random, p.InputLength);
            var filter = KernelRandom.Int8(random, p.FilterLength);
            var bias = KernelRandom.Bias(random, outputC);
            KernelSets.AssertAgree(set => [Forward(set, p, input, filter, bias)], p);
        }
    }

    [Fact]
    public void FloatMode_IsWithinOneLsbOfDoublePrecision()
    {
        var random = new Random(77);
        int compared = 0;
        for (int trial = 0; trial < 40; trial++)
        {
            var (p, input, filter, bias) = RandomCase(random, RequantMode.Float);
            var output = new sbyte[p.OutputLength];
            KernelSet.Fast.Conv2DForward(p, input, filter, bias, output);
            for (int outY = 0; outY < p.OutputH; outY++)
            {
                for (int outX = 0; outX < p.OutputW; outX++)
                {
                    for (int outC = 0; outC < p.OutputC; outC++)
                    {
                        long acc = bias.Length == 0 ? 0 : bias[outC];
                        for (int ky = 0; ky < p.KernelH; ky++)
                        {
                            for (int kx = 0; kx < p.KernelW; kx++)
                            {
                                int iy = outY * p.StrideH - p.PadTop + ky * p.DilationH;
                                int ix = outX * p.StrideW - p.PadLeft + kx * p.DilationW;
                                if (iy < 0 || ix < 0 || iy >= p.InputH || ix >= p.InputW)
                                {
                                    continue;
                                }

                                for (int ic = 0; ic < p.InputC; ic++)
                                {
                                    acc += filter[((outC * p.KernelH + ky) * p.KernelW + kx) * p.InputC + ic]
                                        * (input[(iy * p.InputW + ix) * p.InputC + ic] - p.InputZeroPoint);
                                }
                            }
                        }

                        double scale = p.Requant.Scale[p.Requant.Scale.Length == 1 ? 0 : outC];
                        double ideal = Math.Clamp(Math.Round(acc * scale) + p.OutputZeroPoint, p.ActMin, p.ActMax);
                        int actual = output[(outY * p.OutputW + outX) * p.OutputC + outC];
                        Assert.True(Math.Abs(actual - ideal) <= 1, $"{actual} vs {ideal} for acc {acc} * {scale}");
                        compared++;
                    }
                }
            }
        }

        Assert.True(compared > 1000);
    }

    [Fact]
    public void Validation_RejectsWrongLengthsAndParameters()
    {
        var p = Sobel4x4(Requantization.FromFloat([0.5f]), actMax: 127);
        var output = new sbyte[16];
        Assert.Throws<ArgumentException>(() => KernelSet.Fast.Conv2DForward(p, Input4x4.AsSpan(1), Sobel, [], output));
        Assert.Throws<ArgumentException>(() => KernelSet.Fast.Conv2DForward(p, Input4x4, Sobel.AsSpan(1), [], output));
        Assert.Throws<ArgumentException>(() => KernelSet.Fast.Conv2DForward(p, Input4x4, Sobel, [1, 2], output));
        Assert.Throws<ArgumentException>(() => KernelSet.Fast.Conv2DForward(p, Input4x4, Sobel, [], new sbyte[15]));
        Assert.Throws<ArgumentException>(() => KernelSet.Fast.Conv2DForward(p with { ActMin = 5, ActMax = 4 }, Input4x4, Sobel, [], output));
        Assert.Throws<ArgumentException>(() => KernelSet.Fast.Conv2DForward(p with { InputZeroPoint = 128 }, Input4x4, Sobel, [], output));
        Assert.Throws<ArgumentException>(() => KernelSet.Fast.Conv2DForward(p with { StrideH = 0 }, Input4x4, Sobel, [], output));
        Assert.Throws<ArgumentException>(
            () => KernelSet.Fast.Conv2DForward(p with { Requant = Requantization.FromFloat([1f, 2f]) }, Input4x4, Sobel, [], output));
        Assert.Throws<ArgumentException>(
            () => KernelSet.Fast.Conv2DForward(p with { Requant = Requantization.FromFixedPoint([1], []) }, Input4x4, Sobel, [], output));
    }

    /// <summary>A random conv of at most ~300k MACs: odd channel counts, kernels 1/3/5/7, strides, dilation, padding.</summary>
    internal static (Conv2DParams P, sbyte[] Input, sbyte[] Filter, int[] Bias) RandomCase(Random random, RequantMode? mode = null)
    {
        while (true)
        {
            var w = KernelRandom.RandomWindow(random);
            int inputC = random.Next(1, 68), outputC = random.Next(1, 68);
            if (KernelRandom.RandomPlacement(random, w, inputBelow: 13) is not { } at)
            {
                continue;
            }

            var requantMode = mode ?? KernelRandom.Mode(random);
            int outputZeroPoint = KernelRandom.ZeroPoint(random);
            var (min, max) = KernelRandom.Activation(random, outputZeroPoint);
            var p = new Conv2DParams(at.InputH, at.InputW, inputC, at.OutputH, at.OutputW, outputC, w.KernelH, w.KernelW,
                w.StrideH, w.StrideW, w.DilationH, w.DilationW, at.PadTop, at.PadLeft, KernelRandom.ZeroPoint(random), outputZeroPoint,
                min, max, KernelRandom.Requant(random, requantMode, outputC));
            if (p.Macs > 300_000)
            {
                continue;
            }

            return (p, KernelRandom.Int8(random, p.InputLength), KernelRandom.Int8(random, p.FilterLength), KernelRandom.Bias(random, outputC));
        }
    }
}
