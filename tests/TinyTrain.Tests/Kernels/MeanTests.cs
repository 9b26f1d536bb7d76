using TinyTrain.Kernels;

namespace TinyTrain.Tests.Kernels;

public class MeanTests
{
    [Fact]
    public void Create_QuantizesTheScaleRatio()
    {
        var p = Mean.Create(2, 2, 1, 1.0, 0, 1.0, 0);
        Assert.Equal((1 << 30, 1), (p.Multiplier, p.Shift));
        var q = Mean.Create(4, 4, 8, 0.02, -3, 0.01, 5);
        Assert.Equal(new MeanParams(4, 4, 8, -3, 5, 1 << 30, 2), q);
    }

    [Theory]
    [InlineData(new sbyte[] { 1, 2, 3, 4 }, 3)] // 2.5 -> 3
    [InlineData(new sbyte[] { 0, 1, 2, 3 }, 2)] // 1.5 -> 2
    [InlineData(new sbyte[] { -1, -2, -3, -4 }, -3)] // -2.5 -> -3
    [InlineData(new sbyte[] { 0, 0, 0, 1 }, 1)] // 0.25: the high mul makes 0.5 -> 1, then 1 / 2 = 0.5 -> 1
    public void Mean2x2_RoundsLikeTflite(sbyte[] input, int expected)
    {
        var output = new sbyte[1];
        Mean.Forward(Mean.Create(2, 2, 1, 1.0, 0, 1.0, 0), input, output);
        Assert.Equal(expected, output[0]);
    }

    [Fact]
    public void Mean4x4_RoundsTwiceAsTfliteDoes()
    {
        // 1/16 is folded into the multiplier: (2^30, shift 1) becomes (2^30, shift -3), so the sum 7 goes
        // 7 * 0.5 = 3.5 -> 4 (high mul), then 4 / 8 = 0.5 -> 1. The exact mean 7/16 would round to 0.
        var input = new sbyte[16];
        input[0] = 7;
        var output = new sbyte[1];
        Mean.Forward(Mean.Create(4, 4, 1, 1.0, 0, 1.0, 0), input, output);
        Assert.Equal(1, output[0]);
        Assert.Equal((1 << 30, -3), Mean.FoldCount(1 << 30, 1, 16));
    }

    [Fact]
    public void ZeroPoints_AreRemovedAndAdded()
    {
        // All inputs equal the input zero point: the centred sum is 0, so every output is the output zero point.
        var input = Enumerable.Repeat((sbyte)-7, 5 * 3 * 2).ToArray();
        var output = new sbyte[2];
        Mean.Forward(Mean.Create(5, 3, 2, 0.05, -7, 0.02, 11), input, output);
        Assert.Equal(new sbyte[] { 11, 11 }, output);
    }

    [Fact]
    public void Random_IsWithinOneLsbOfTheRealMean()
    {
        var random = new Random(21);
        for (int trial = 0; trial < 300; trial++)
        {
            int h = random.Next(1, 9), w = random.Next(1, 9), channels = random.Next(1, 6);
            double inputScale = 0.01 + random.NextDouble() * 0.1, outputScale = 0.01 + random.NextDouble() * 0.1;
            int inputZero = KernelRandom.ZeroPoint(random), outputZero = KernelRandom.ZeroPoint(random);
            var p = Mean.Create(h, w, channels, inputScale, inputZero, outputScale, outputZero);
            var input = KernelRandom.Int8(random, h * w * channels);
            var output = new sbyte[channels];
            Mean.Forward(p, input, output);
            for (int c = 0; c < channels; c++)
            {
                double sum = 0;
                for (int i = 0; i < h * w; i++)
                {
                    sum += input[i * channels + c] - inputZero;
                }

                double ideal = Math.Clamp(Math.Round(sum / (h * w) * inputScale / outputScale) + outputZero, -128, 127);
                Assert.True(Math.Abs(output[c] - ideal) <= 1, $"{output[c]} vs {ideal} ({p})");
            }
        }
    }

    [Fact]
    public void Validation_RejectsWrongLengths()
    {
        var p = Mean.Create(2, 2, 3, 1.0, 0, 1.0, 0);
        Assert.Throws<ArgumentException>(() => Mean.Forward(p, new sbyte[11], new sbyte[3]));
        Assert.Throws<ArgumentException>(() => Mean.Forward(p, new sbyte[12], new sbyte[2]));
    }
}
