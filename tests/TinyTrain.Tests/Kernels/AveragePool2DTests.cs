using TinyTrain.Kernels;

namespace TinyTrain.Tests.Kernels;

public class AveragePool2DTests
{
    // 2x2x5: channel sums 2, -2, 6, 10, -10, i.e. means 0.5, -0.5, 1.5, 2.5, -2.5.
    private static readonly sbyte[] TieInput = [1, -1, 1, 2, -2, 1, -1, 1, 3, -3, 0, 0, 2, 2, -2, 0, 0, 2, 3, -3];

    private static PoolParams Global2x2(PoolRounding rounding) => new(2, 2, 5, 1, 1, 2, 2, 1, 1, 0, 0, -128, 127, rounding);

    [Fact]
    public void HalfAwayFromZero_MatchesTfliteIntegerRounding()
    {
        var output = new sbyte[5];
        AveragePool2D.Forward(Global2x2(PoolRounding.HalfAwayFromZero), TieInput, output);
        Assert.Equal(new sbyte[] { 1, -1, 2, 3, -3 }, output);
    }

    [Fact]
    public void HalfToEven_IsThePapersRounding()
    {
        var output = new sbyte[5];
        AveragePool2D.Forward(Global2x2(PoolRounding.HalfToEven), TieInput, output);
        Assert.Equal(new sbyte[] { 0, 0, 2, 2, -2 }, output);
    }

    [Theory]
    [InlineData(PoolRounding.HalfAwayFromZero, new sbyte[] { 3, 4, 4, 5, 5, 6, 6, 7, 7 })]
    [InlineData(PoolRounding.HalfToEven, new sbyte[] { 3, 4, 4, 4, 5, 6, 6, 6, 7 })]
    public void PaddedPositions_AreNotCounted(PoolRounding rounding, sbyte[] expected)
    {
        // 3x3 of 1..9, 3x3 window, stride 1, padding 1: corners average 4 values, edges 6, the centre 9.
        // E.g. (1, 0): (1 + 2 + 4 + 5 + 7 + 8) / 6 = 4.5; (2, 1): 39 / 6 = 6.5.
        var p = new PoolParams(3, 3, 1, 3, 3, 3, 3, 1, 1, 1, 1, -128, 127, rounding);
        var output = new sbyte[9];
        AveragePool2D.Forward(p, [1, 2, 3, 4, 5, 6, 7, 8, 9], output);
        Assert.Equal(expected, output);
    }

    [Fact]
    public void ActivationRange_Clamps()
    {
        var p = Global2x2(PoolRounding.HalfToEven) with { ActMin = 0, ActMax = 1 };
        var output = new sbyte[5];
        AveragePool2D.Forward(p, TieInput, output);
        Assert.Equal(new sbyte[] { 0, 0, 1, 1, 0 }, output);
    }

    [Fact]
    public void RoundingModes_AgreeExceptOnTies()
    {
        var random = new Random(12);
        for (int trial = 0; trial < 100; trial++)
        {
            int size = random.Next(1, 9), channels = random.Next(1, 20);
            var input = KernelRandom.Int8(random, size * size * channels);
            var away = new sbyte[channels];
            var even = new sbyte[channels];
            var p = new PoolParams(size, size, channels, 1, 1, size, size, 1, 1, 0, 0, -128, 127, PoolRounding.HalfAwayFromZero);
            AveragePool2D.Forward(p, input, away);
            AveragePool2D.Forward(p with { Rounding = PoolRounding.HalfToEven }, input, even);
            for (int c = 0; c < channels; c++)
            {
                int sum = 0;
                for (int i = 0; i < size * size; i++)
                {
                    sum += input[i * channels + c];
                }

                double mean = sum / (double)(size * size);
                Assert.Equal((int)Math.Round(mean, MidpointRounding.AwayFromZero), away[c]);
                Assert.Equal((int)Math.Round(mean, MidpointRounding.ToEven), even[c]);
            }
        }
    }

    [Fact]
    public void Validation_RejectsEmptyWindowsAndWrongLengths()
    {
        var p = new PoolParams(2, 2, 1, 2, 2, 1, 1, 1, 1, 0, 0, -128, 127, PoolRounding.HalfToEven);
        Assert.Throws<ArgumentException>(() => AveragePool2D.Forward(p, new sbyte[3], new sbyte[4]));
        Assert.Throws<ArgumentException>(() => AveragePool2D.Forward(p, new sbyte[4], new sbyte[3]));
        // Output row 1 with stride 3 starts below the image: its window covers nothing.
        var empty = new PoolParams(2, 2, 1, 2, 1, 1, 1, 3, 1, 0, 0, -128, 127, PoolRounding.HalfToEven);
        Assert.Throws<ArgumentException>(() => AveragePool2D.Forward(empty, new sbyte[4], new sbyte[2]));
    }
}
