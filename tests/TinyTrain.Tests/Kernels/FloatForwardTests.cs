using TinyTrain.Kernels;

namespace TinyTrain.Tests.Kernels;

/// <summary>The fp32 forward kernels of the fp32 baseline, and their SIMD paths.</summary>
public class FloatForwardTests
{
    [Fact]
    public void Conv_BiasAndClamp_HandComputed()
    {
        // Sobel-x on the zero-padded 3x3 ramp x = 0..8 (row-major) gives -6 -6 6 | -16 -8 16 | -18 -6 18;
        // + bias 7: 1 1 13 | -9 -1 23 | -11 1 25; clamp [0, 20].
        var p = new Conv2DParams(3, 3, 1, 3, 3, 1, 3, 3, 1, 1, 1, 1, 1, 1, 0, 0, -128, 127, Requantization.FromFloat([1f]));
        float[] input = [0, 1, 2, 3, 4, 5, 6, 7, 8];
        float[] sobel = [1, 0, -1, 2, 0, -2, 1, 0, -1];
        var output = new float[9];
        var mask = new byte[2];
        KernelSet.Reference.Conv2DForwardFloat(p, input, sobel, [7], output, 0, 20, mask);
        Assert.Equal(new float[] { 1, 1, 13, 0, 0, 20, 0, 1, 20 }, output);
        Assert.Equal(new byte[] { 0b1000_0111, 0 }, mask);
        KernelSet.Fast.Conv2DForwardFloat(p, input, sobel, [7], output, 0, 20, mask);
        Assert.Equal(new byte[] { 0b1000_0111, 0 }, mask);
    }

    [Theory]
    [Seeds(12)]
    public void ConvVectorized_IsWithinTheReorderingBound_DepthwiseIsBitExact(int seed)
    {
        var random = new Random(11000 + seed);
        var (p, _, _, _) = Conv2DTests.RandomCase(random);
        var input = GradientCheck.Floats(random, p.InputLength);
        var filter = GradientCheck.Floats(random, p.FilterLength);
        var bias = random.Next(3) == 0 ? [] : GradientCheck.Floats(random, p.OutputC);
        var expected = new float[p.OutputLength];
        var bound = new float[p.OutputLength];
        KernelSet.Reference.Conv2DForwardFloat(p, input, filter, bias, expected, float.NegativeInfinity, float.PositiveInfinity, default);
        var absolute = new float[p.OutputLength];
        KernelSet.Reference.Conv2DForwardFloat(p, Abs(input), Abs(filter), Abs(bias), absolute, float.NegativeInfinity, float.PositiveInfinity, default);
        int terms = p.KernelH * p.KernelW * p.InputC + 1;
        for (int i = 0; i < bound.Length; i++)
        {
            bound[i] = 2.5f * terms * MathF.ScaleB(1, -24) * absolute[i]; // 2 (n - 1) u sum |terms|, with slack for |.|'s own rounding
        }

        foreach (var width in KernelRandom.Widths)
        {
            var actual = new float[p.OutputLength];
            KernelSet.At(width).Conv2DForwardFloat(p, input, filter, bias, actual, float.NegativeInfinity, float.PositiveInfinity, []);
            for (int i = 0; i < actual.Length; i++)
            {
                Assert.True(Math.Abs(actual[i] - expected[i]) <= bound[i], $"{width} [{i}]: {actual[i]} vs {expected[i]}, bound {bound[i]}; {p}");
            }
        }

        var (dp, _, _, _) = DepthwiseConv2DTests.RandomCase(random);
        var dInput = GradientCheck.Floats(random, dp.InputLength);
        var dFilter = GradientCheck.Floats(random, dp.FilterLength);
        var dBias = GradientCheck.Floats(random, dp.OutputC);
        var dExpected = new float[dp.OutputLength];
        var dMask = new byte[ClampMask.ByteLength(dp.OutputLength)];
        KernelSet.Reference.DepthwiseConv2DForwardFloat(dp, dInput, dFilter, dBias, dExpected, -0.5f, 0.5f, dMask);
        foreach (var width in KernelRandom.Widths)
        {
            var actual = new float[dp.OutputLength];
            var mask = new byte[dMask.Length];
            KernelSet.At(width).DepthwiseConv2DForwardFloat(dp, dInput, dFilter, dBias, actual, -0.5f, 0.5f, mask);
            GradientCheck.AssertBitwise(dExpected, actual, $"{width} {dp}");
            Assert.Equal(dMask, mask);
        }
    }

    [Fact]
    public void FullyConnectedVectorized_IsWithinTheReorderingBound_ForEveryDepthUpTo257()
    {
        var random = new Random(19);
        for (int depth = 0; depth <= 257; depth++)
        {
            var p = new FullyConnectedParams(2, depth, 5, 0, 0, 0, -128, 127, Requantization.FromFloat([1f]));
            var input = GradientCheck.Floats(random, 2 * depth);
            var filter = GradientCheck.Floats(random, 5 * depth);
            var expected = new float[10];
            var absolute = new float[10];
            KernelSet.Reference.FullyConnectedForwardFloat(p, input, filter, [], expected, float.NegativeInfinity, float.PositiveInfinity, default);
            KernelSet.Reference.FullyConnectedForwardFloat(p, Abs(input), Abs(filter), [], absolute, float.NegativeInfinity, float.PositiveInfinity, default);
            foreach (var width in KernelRandom.Widths)
            {
                var actual = new float[10];
                KernelSet.At(width).FullyConnectedForwardFloat(p, input, filter, [], actual, float.NegativeInfinity, float.PositiveInfinity, []);
                for (int i = 0; i < 10; i++)
                {
                    float bound = 2.5f * (depth + 1) * MathF.ScaleB(1, -24) * absolute[i];
                    Assert.True(Math.Abs(actual[i] - expected[i]) <= bound, $"{width} depth {depth} [{i}]: {actual[i]} vs {expected[i]}");
                }
            }
        }
    }

    [Fact]
    public void AveragePoolFloat_IsTheMean()
    {
        var p = new PoolParams(2, 2, 2, 1, 1, 2, 2, 1, 1, 0, 0, -128, 127, PoolRounding.HalfToEven);
        var output = new float[2];
        AveragePool2D.ForwardFloat(p, [1, 10, 2, 20, 3, 30, 4, 40], output);
        Assert.Equal(new float[] { 2.5f, 25 }, output);
    }

    private static float[] Abs(float[] values) => values.Select(MathF.Abs).ToArray();
}
