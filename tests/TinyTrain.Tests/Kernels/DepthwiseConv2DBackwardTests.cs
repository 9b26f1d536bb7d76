using TinyTrain.Kernels;

namespace TinyTrain.Tests.Kernels;

public class DepthwiseConv2DBackwardTests
{
    [Theory]
    [InlineData(5, 5, 3, 1, 3, 1, 1, 1)] // stride 1, same padding
    [InlineData(7, 6, 4, 1, 3, 2, 1, 1)] // stride 2
    [InlineData(7, 7, 2, 1, 3, 1, 2, 2)] // dilation 2
    [InlineData(5, 4, 2, 3, 3, 1, 1, 1)] // depth multiplier 3 (input gradient only)
    public void FiniteDifferences_MatchInputFilterAndBiasGradients(
        int inputH, int inputW, int inputC, int multiplier, int kernel, int stride, int dilation, int pad)
    {
        int effective = (kernel - 1) * dilation + 1;
        int outputH = (inputH + 2 * pad - effective) / stride + 1, outputW = (inputW + 2 * pad - effective) / stride + 1;
        var p = new DepthwiseConv2DParams(inputH, inputW, inputC, outputH, outputW, multiplier, kernel, kernel, stride, stride,
            dilation, dilation, pad, pad, 0, 0, -128, 127, Requantization.FromFloat([1f]));
        var random = new Random(inputH * 100 + multiplier * 10 + stride);
        var layer = GradientCheck.ClampedLayer(random, p.InputLength, p.FilterLength, p.OutputC, p.OutputLength,
            (input, filter, bias, output, min, max, mask) => KernelSet.Fast.DepthwiseConv2DForwardFloat(p, input, filter, bias, output, min, max, mask));
        var inputGrad = new float[p.InputLength];
        KernelSets.AssertAgree(set => [InputGrad(set, p, layer.AccGrad, layer.Filter)], p);
        KernelSet.Reference.DepthwiseConv2DInputGrad(p, layer.AccGrad, layer.Filter, inputGrad);
        float[]? filterGrad = null; // the filter gradient takes depth multiplier 1 only
        if (multiplier == 1)
        {
            filterGrad = new float[p.FilterLength];
            KernelSet.Fast.DepthwiseConv2DFilterGrad(p, layer.Input, layer.AccGrad, GradientCheck.AllChannels(p.InputC), filterGrad);
        }

        layer.AssertGradients(inputGrad, filterGrad);
    }

    [Theory]
    [Seeds(12)]
    public void Int8Kernels_EqualTheFp32KernelsOnFloatCopies_AndSelectionsAreSlices(int seed)
    {
        var random = new Random(6000 + seed);
        var (p, input, filter, _) = DepthwiseConv2DTests.RandomCase(random);
        var accGrad = GradientCheck.SparseGradient(random, p.OutputLength);

        var expectedInput = new float[p.InputLength];
        var actualInput = new float[p.InputLength];
        KernelSet.Reference.DepthwiseConv2DInputGrad(p, accGrad, GradientCheck.ToFloat(filter), expectedInput);
        KernelSet.Reference.DepthwiseConv2DInputGrad(p, accGrad, filter, actualInput);
        GradientCheck.AssertBitwise(expectedInput, actualInput, p);
        if (p.DepthMultiplier != 1)
        {
            Assert.Throws<ArgumentException>(() => KernelSet.Fast.DepthwiseConv2DFilterGrad(p, input, accGrad, [0], new float[p.KernelH * p.KernelW]));
            return;
        }

        int[] channels = GradientCheck.SomeChannels(random, p.InputC);
        var full = new float[p.FilterLength];
        var fromFloat = new float[p.KernelH * p.KernelW * channels.Length];
        var selected = new float[fromFloat.Length];
        KernelSet.Fast.DepthwiseConv2DFilterGrad(p, input, accGrad, GradientCheck.AllChannels(p.InputC), full);
        KernelSet.Fast.DepthwiseConv2DFilterGrad(p, GradientCheck.ToFloat(input, p.InputZeroPoint), accGrad, channels, fromFloat);
        KernelSet.Fast.DepthwiseConv2DFilterGrad(p, input, accGrad, channels, selected);
        GradientCheck.AssertBitwise(fromFloat, selected, p);
        for (int tap = 0; tap < p.KernelH * p.KernelW; tap++)
        {
            for (int j = 0; j < channels.Length; j++)
            {
                Assert.Equal(BitConverter.SingleToInt32Bits(full[tap * p.InputC + channels[j]]), BitConverter.SingleToInt32Bits(selected[tap * channels.Length + j]));
            }
        }
    }

    [Theory]
    [Seeds(12)]
    public void Vectorized_MatchesReferenceBitForBit(int seed)
    {
        var random = new Random(7000 + seed);
        var (p, _, filter, _) = DepthwiseConv2DTests.RandomCase(random);
        var accGrad = GradientCheck.SparseGradient(random, p.OutputLength);
        var floatFilter = GradientCheck.Floats(random, p.FilterLength);
        KernelSets.AssertAgree(set => [InputGrad(set, p, accGrad, filter), InputGrad(set, p, accGrad, floatFilter)], p);
    }

    [Fact]
    public void Validation_RejectsWrongLengthsAndChannels()
    {
        var p = new DepthwiseConv2DParams(3, 3, 2, 3, 3, 1, 3, 3, 1, 1, 1, 1, 1, 1, 0, 0, -128, 127, Requantization.FromFloat([1f]));
        var accGrad = new float[18];
        Assert.Throws<ArgumentException>(() => KernelSet.Fast.DepthwiseConv2DInputGrad(p, accGrad, new sbyte[17], new float[18]));
        Assert.Throws<ArgumentException>(() => KernelSet.Fast.DepthwiseConv2DInputGrad(p, accGrad, new float[18], new float[17]));
        Assert.Throws<ArgumentException>(() => KernelSet.Fast.DepthwiseConv2DFilterGrad(p, new sbyte[18], accGrad, [2], new float[9]));
        Assert.Throws<ArgumentException>(() => KernelSet.Fast.DepthwiseConv2DFilterGrad(p, new sbyte[18], accGrad, [1], new float[18]));
    }

    private static float[] InputGrad(KernelSet set, DepthwiseConv2DParams p, float[] accGrad, sbyte[] filter)
    {
        var inputGrad = new float[p.InputLength];
        set.DepthwiseConv2DInputGrad(p, accGrad, filter, inputGrad);
        return inputGrad;
    }

    private static float[] InputGrad(KernelSet set, DepthwiseConv2DParams p, float[] accGrad, float[] filter)
    {
        var inputGrad = new float[p.InputLength];
        set.DepthwiseConv2DInputGrad(p, accGrad, filter, inputGrad);
        return inputGrad;
    }

    [Theory]
    [Seeds(40)]
    public void FilterGradVectorized_MatchesReferenceBitForBit_AtEveryWidthAndSelection(int seed)
    {
        var random = new Random(9100 + seed);
        var p = RandomFilterGradCase(random);
        var input = KernelRandom.Int8(random, p.InputLength);
        var floatInput = GradientCheck.Floats(random, p.InputLength, 3f);
        var accGrad = GradientCheck.SparseGradient(random, p.OutputLength);
        foreach (int[] channels in Selections(random, p.InputC))
        {
            int length = p.KernelH * p.KernelW * channels.Length;
            KernelSets.AssertAgree(set =>
            {
                float[] filterGrad = new float[length], floatFilterGrad = new float[length];
                filterGrad.AsSpan().Fill(float.NaN); // must be overwritten
                floatFilterGrad.AsSpan().Fill(float.NaN);
                set.DepthwiseConv2DFilterGrad(p, input, accGrad, channels, filterGrad);
                set.DepthwiseConv2DFilterGrad(p, floatInput, accGrad, channels, floatFilterGrad);
                return [filterGrad, floatFilterGrad];
            }, $"{p} channels [{string.Join(",", channels)}]");
        }
    }

    [Fact]
    public void FilterGradVectorized_ValidatesLikeTheReference()
    {
        var p = new DepthwiseConv2DParams(3, 3, 2, 3, 3, 1, 3, 3, 1, 1, 1, 1, 1, 1, 0, 0, -128, 127, Requantization.FromFloat([1f]));
        var accGrad = new float[18];
        foreach (var width in KernelRandom.Widths)
        {
            Assert.Throws<ArgumentException>(() => KernelSet.At(width).DepthwiseConv2DFilterGrad(p, new sbyte[18], accGrad, [2], new float[9]));
            Assert.Throws<ArgumentException>(() => KernelSet.At(width).DepthwiseConv2DFilterGrad(p, new float[18], accGrad, [1], new float[18]));
        }
    }

    /// <summary>Kernel 3/5/7 (sometimes non-square or dilated), stride 1/2, padding 0..k/2, 1..67 channels, multiplier 1.</summary>
    private static DepthwiseConv2DParams RandomFilterGradCase(Random random)
    {
        while (true)
        {
            int[] kernels = [3, 5, 7];
            int kernelH = kernels[random.Next(3)];
            int kernelW = random.Next(4) == 0 ? kernels[random.Next(3)] : kernelH;
            int strideH = random.Next(1, 3), strideW = random.Next(1, 3);
            int dilationH = random.Next(6) == 0 ? 2 : 1, dilationW = random.Next(6) == 0 ? 2 : 1;
            int padTop = random.Next(0, kernelH / 2 + 1), padLeft = random.Next(0, kernelW / 2 + 1);
            int inputC = random.Next(1, 68);
            int inputH = random.Next(1, 13), inputW = random.Next(1, 13);
            int effectiveH = (kernelH - 1) * dilationH + 1, effectiveW = (kernelW - 1) * dilationW + 1;
            int spanH = inputH + 2 * padTop - effectiveH, spanW = inputW + 2 * padLeft - effectiveW;
            if (spanH < 0 || spanW < 0)
            {
                continue;
            }

            int zeroPoint = KernelRandom.ZeroPoint(random);
            return new DepthwiseConv2DParams(inputH, inputW, inputC, spanH / strideH + 1, spanW / strideW + 1, 1, kernelH, kernelW,
                strideH, strideW, dilationH, dilationW, padTop, padLeft, zeroPoint, 0, -128, 127, Requantization.FromFloat([1f]));
        }
    }

    /// <summary>All channels, none, one contiguous run, a random ascending subset (non-contiguous), and a shuffled subset.</summary>
    private static IEnumerable<int[]> Selections(Random random, int channels)
    {
        yield return GradientCheck.AllChannels(channels);
        yield return [];
        int start = random.Next(channels), end = random.Next(start + 1, channels + 1);
        yield return Enumerable.Range(start, end - start).ToArray();
        yield return Enumerable.Range(0, channels).Where(_ => random.Next(3) != 0).ToArray();
        yield return Enumerable.Range(0, channels).Where(c => c % 2 == 1 || c % 7 == 0).ToArray();
        yield return GradientCheck.SomeChannels(random, channels);
    }
}
