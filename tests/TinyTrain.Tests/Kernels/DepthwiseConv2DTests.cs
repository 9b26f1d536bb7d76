using TinyTrain.Kernels;

namespace TinyTrain.Tests.Kernels;

public class DepthwiseConv2DTests
{
    [Fact]
    public void Reference_3x3TwoChannelsWithPadding_HandComputed()
    {
        // 3x3x2 input, zero point -1: channel 0 is x - zp = 1..9, channel 1 is x - zp = 1 everywhere.
        var input = new sbyte[18];
        for (int i = 0; i < 9; i++)
        {
            input[2 * i] = (sbyte)(i + 1 - 1);
            input[2 * i + 1] = 0;
        }

        // Filter [1, 3, 3, 2]: channel 0 all ones (box sum), channel 1 the centre tap 3 and the top-left tap 1.
        var filter = new sbyte[18];
        for (int tap = 0; tap < 9; tap++)
        {
            filter[2 * tap] = 1;
        }

        filter[2 * 4 + 1] = 3;
        filter[1] = 1;
        var p = new DepthwiseConv2DParams(3, 3, 2, 3, 3, 1, 3, 3, 1, 1, 1, 1, 1, 1, -1, 0, -128, 127,
            Requantization.FromFloat([1f, 1f]));
        var output = new sbyte[18];
        KernelSet.Reference.DepthwiseConv2DForward(p, input, filter, [0, 100], output);

        // Channel 0: 3x3 box sums of 1..9 with the border skipped.
        sbyte[] boxSums = [12, 21, 16, 27, 45, 33, 24, 39, 28];
        for (int i = 0; i < 9; i++)
        {
            Assert.Equal(boxSums[i], output[2 * i]);
            // Channel 1: 100 + 3 (centre) + 1 if the top-left tap is inside, i.e. row > 0 and col > 0.
            int expected = 100 + 3 + (i / 3 > 0 && i % 3 > 0 ? 1 : 0);
            Assert.Equal(expected, output[2 * i + 1]);
        }
    }

    [Fact]
    public void Reference_DepthMultiplierTwo_ReadsInputChannelOverMultiplier()
    {
        // 1x1 input with 2 channels (x - zp = 3 and 5), 1x1 kernel, multiplier 2: outputs 3*w0, 3*w1, 5*w2, 5*w3.
        var p = new DepthwiseConv2DParams(1, 1, 2, 1, 1, 2, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, -128, 127,
            Requantization.FromFixedPoint([1 << 30], [1]));
        var output = new sbyte[4];
        KernelSet.Reference.DepthwiseConv2DForward(p, [3, 5], [1, 2, 3, -4], [], output);
        Assert.Equal(new sbyte[] { 3, 6, 15, -20 }, output);
    }

    [Theory]
    [Seeds(30)]
    public void Vectorized_MatchesReferenceBitForBit(int seed)
    {
        var random = new Random(2000 + seed);
        for (int trial = 0; trial < 8; trial++)
        {
            var (p, input, filter, bias) = RandomCase(random);
            KernelSets.AssertAgree(set => [Forward(set, p, input, filter, bias)], $"{p} bias {bias.Length}");
        }
    }

    private static sbyte[] Forward(KernelSet set, DepthwiseConv2DParams p, sbyte[] input, sbyte[] filter, int[] bias)
    {
        var output = new sbyte[p.OutputLength];
        set.DepthwiseConv2DForward(p, input, filter, bias, output);
        return output;
    }

    [Theory]
    [InlineData(48, 3, 1)]
    [InlineData(67, 5, 2)]
    [InlineData(113, 7, 1)]
    [InlineData(16, 3, 2)]
    [InlineData(17, 3, 1)]
    public void Vectorized_ChannelBlocksAndTails_MatchReference(int channels, int kernel, int stride)
    {
        var random = new Random(channels * 31 + kernel);
        foreach (var mode in new[] { RequantMode.Float, RequantMode.FixedPoint })
        {
            int size = 9, pad = kernel / 2, outputSize = (size + 2 * pad - kernel) / stride + 1;
            var p = new DepthwiseConv2DParams(size, size, channels, outputSize, outputSize, 1, kernel, kernel,
                stride, stride, 1, 1, pad, pad, -128, KernelRandom.ZeroPoint(random), -128, 127,
                KernelRandom.Requant(random, mode, channels));
            var input = KernelRandom.Int8(random, p.InputLength);
            var filter = KernelRandom.Int8(random, p.FilterLength);
            var bias = KernelRandom.Bias(random, channels);
            KernelSets.AssertAgree(set => [Forward(set, p, input, filter, bias)], p);
        }
    }

    [Fact]
    public void Validation_RejectsWrongLengths()
    {
        var p = new DepthwiseConv2DParams(2, 2, 3, 2, 2, 2, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, -128, 127,
            Requantization.FromFloat([1f]));
        Assert.Throws<ArgumentException>(() => KernelSet.Fast.DepthwiseConv2DForward(p, new sbyte[12], new sbyte[3], [], new sbyte[24]));
        Assert.Throws<ArgumentException>(() => KernelSet.Fast.DepthwiseConv2DForward(p, new sbyte[12], new sbyte[6], [], new sbyte[23]));
        Assert.Throws<ArgumentException>(() => KernelSet.Fast.DepthwiseConv2DForward(p, new sbyte[12], new sbyte[6], [1, 2, 3], new sbyte[24]));
        Assert.Throws<ArgumentException>(
            () => KernelSet.Fast.DepthwiseConv2DForward(p with { DepthMultiplier = 0 }, new sbyte[12], new sbyte[0], [], new sbyte[0]));
    }

    internal static (DepthwiseConv2DParams P, sbyte[] Input, sbyte[] Filter, int[] Bias) RandomCase(Random random)
    {
        while (true)
        {
            var w = KernelRandom.RandomWindow(random);
            int inputC = random.Next(1, 68);
            int multiplier = random.Next(5) == 0 ? random.Next(2, 4) : 1;
            if (KernelRandom.RandomPlacement(random, w, inputBelow: 14) is not { } at)
            {
                continue;
            }

            int outputZeroPoint = KernelRandom.ZeroPoint(random);
            var (min, max) = KernelRandom.Activation(random, outputZeroPoint);
            var p = new DepthwiseConv2DParams(at.InputH, at.InputW, inputC, at.OutputH, at.OutputW, multiplier,
                w.KernelH, w.KernelW, w.StrideH, w.StrideW, w.DilationH, w.DilationW, at.PadTop, at.PadLeft,
                KernelRandom.ZeroPoint(random), outputZeroPoint, min, max,
                KernelRandom.Requant(random, KernelRandom.Mode(random), inputC * multiplier));
            return (p, KernelRandom.Int8(random, p.InputLength), KernelRandom.Int8(random, p.FilterLength),
                KernelRandom.Bias(random, p.OutputC));
        }
    }
}
