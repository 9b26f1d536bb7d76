using TinyTrain.Kernels;

namespace TinyTrain.Tests.Kernels;

public class Conv2DBackwardTests
{
    private static Conv2DParams Geometry(int inputH, int inputW, int inputC, int outputC, int kernelH, int kernelW, int stride, int dilation, int padTop, int padLeft)
    {
        int outputH = (inputH + 2 * padTop - ((kernelH - 1) * dilation + 1)) / stride + 1;
        int outputW = (inputW + 2 * padLeft - ((kernelW - 1) * dilation + 1)) / stride + 1;
        return new Conv2DParams(inputH, inputW, inputC, outputH, outputW, outputC, kernelH, kernelW, stride, stride, dilation, dilation,
            padTop, padLeft, 0, 0, -128, 127, Requantization.FromFloat([1f]));
    }

    [Theory]
    [InlineData(5, 5, 3, 4, 3, 3, 1, 1, 1, 1)] // stride 1, same padding
    [InlineData(7, 6, 2, 3, 3, 3, 2, 1, 1, 1)] // stride 2
    [InlineData(7, 7, 2, 2, 3, 3, 1, 2, 2, 2)] // dilation 2
    [InlineData(6, 5, 3, 2, 5, 3, 2, 1, 2, 0)] // 5x3 kernel, stride 2, padding on one axis only
    [InlineData(4, 4, 5, 3, 1, 1, 1, 1, 0, 0)] // pointwise
    public void FiniteDifferences_MatchInputFilterAndBiasGradients(
        int inputH, int inputW, int inputC, int outputC, int kernelH, int kernelW, int stride, int dilation, int padTop, int padLeft)
    {
        var p = Geometry(inputH, inputW, inputC, outputC, kernelH, kernelW, stride, dilation, padTop, padLeft);
        var random = new Random(inputH * 100 + kernelH * 10 + stride);
        var layer = GradientCheck.ClampedLayer(random, p.InputLength, p.FilterLength, p.OutputC, p.OutputLength,
            (input, filter, bias, output, min, max, mask) => KernelSet.Fast.Conv2DForwardFloat(p, input, filter, bias, output, min, max, mask));
        var inputGrad = new float[p.InputLength];
        var filterGrad = new float[p.FilterLength];
        KernelSets.AssertAgree(set => [InputGrad(set, p, layer.AccGrad, layer.Filter)], p);
        KernelSet.Reference.Conv2DInputGrad(p, layer.AccGrad, layer.Filter, inputGrad);
        KernelSet.Reference.Conv2DFilterGrad(p, layer.Input, layer.AccGrad, GradientCheck.AllChannels(p.InputC), filterGrad);
        layer.AssertGradients(inputGrad, filterGrad);
        Assert.Contains(layer.Mask, m => m != 0xFF); // some outputs were clamped
    }

    [Fact]
    public void InputGrad_StrideTwo_HandComputed()
    {
        // 4x4 single-channel input, 2x2 kernel, stride 2, no padding: each input pixel lies in exactly one window,
        // so its gradient is that window's accGrad times the tap it sits under.
        var p = new Conv2DParams(4, 4, 1, 2, 2, 1, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0, -128, 127, Requantization.FromFloat([1f]));
        sbyte[] filter = [1, 2, 3, 4];
        float[] accGrad = [1, 10, 100, 1000];
        var inputGrad = new float[16];
        KernelSet.Reference.Conv2DInputGrad(p, accGrad, filter, inputGrad);
        float[] expected = [1, 2, 10, 20, 3, 4, 30, 40, 100, 200, 1000, 2000, 300, 400, 3000, 4000];
        Assert.Equal(expected, inputGrad);
    }

    [Fact]
    public void FilterGrad_SubtractsTheZeroPointAndSkipsPadding_HandComputed()
    {
        // 2x2 input (x - zp = 1, 2, 3, 4 with zp -5), 3x3 filter, padding 1: one output per pixel. With accGrad 1 at
        // output (0, 0) only, the window's in-image taps are (1, 1), (1, 2), (2, 1), (2, 2); the others stay 0.
        var p = new Conv2DParams(2, 2, 1, 2, 2, 1, 3, 3, 1, 1, 1, 1, 1, 1, -5, 0, -128, 127, Requantization.FromFloat([1f]));
        var filterGrad = new float[9];
        KernelSet.Reference.Conv2DFilterGrad(p, [-4, -3, -2, -1], [1, 0, 0, 0], [0], filterGrad);
        Assert.Equal(new float[] { 0, 0, 0, 0, 1, 2, 0, 3, 4 }, filterGrad);
    }

    [Theory]
    [Seeds(12)]
    public void Int8Kernels_EqualTheFp32KernelsOnFloatCopies(int seed)
    {
        // Straight-through: the int8 backward is the fp32 backward of the integer values, exactly.
        var random = new Random(3000 + seed);
        var (p, input, filter, _) = Conv2DTests.RandomCase(random);
        var accGrad = GradientCheck.SparseGradient(random, p.OutputLength);
        int[] channels = GradientCheck.SomeChannels(random, p.InputC);

        var expectedInput = new float[p.InputLength];
        var actualInput = new float[p.InputLength];
        KernelSet.Reference.Conv2DInputGrad(p, accGrad, GradientCheck.ToFloat(filter), expectedInput);
        KernelSet.Reference.Conv2DInputGrad(p, accGrad, filter, actualInput);
        GradientCheck.AssertBitwise(expectedInput, actualInput, p);

        var expectedFilter = new float[p.OutputC * p.KernelH * p.KernelW * channels.Length];
        var actualFilter = new float[expectedFilter.Length];
        KernelSet.Reference.Conv2DFilterGrad(p, GradientCheck.ToFloat(input, p.InputZeroPoint), accGrad, channels, expectedFilter);
        KernelSet.Reference.Conv2DFilterGrad(p, input, accGrad, channels, actualFilter);
        GradientCheck.AssertBitwise(expectedFilter, actualFilter, p);
    }

    [Theory]
    [Seeds(12)]
    public void FilterGrad_OutputWindows_AreBlocksOfTheWholeGradient(int seed)
    {
        // A fused update takes the gradient a few output channels at a time; each block must be the whole
        // gradient's rows, bit for bit, from both kernels.
        var random = new Random(4500 + seed);
        var (p, input, _, _) = Conv2DTests.RandomCase(random);
        var accGrad = GradientCheck.SparseGradient(random, p.OutputLength);
        int[] channels = GradientCheck.SomeChannels(random, p.InputC);
        if (channels.Length == 0) channels = GradientCheck.AllChannels(p.InputC);
        int perOutput = p.KernelH * p.KernelW * channels.Length;
        var whole = new float[p.OutputC * perOutput];
        KernelSet.Reference.Conv2DFilterGrad(p, input, accGrad, channels, whole);
        int first = random.Next(p.OutputC);
        int count = random.Next(1, p.OutputC - first + 1);
        var block = new float[count * perOutput];
        var vectorBlock = new float[count * perOutput];
        KernelSet.Reference.Conv2DFilterGrad(p, input, accGrad, channels, block, first);
        KernelSet.Fast.Conv2DFilterGrad(p, input, accGrad, channels, vectorBlock, first);
        GradientCheck.AssertBitwise(whole.AsSpan(first * perOutput, count * perOutput).ToArray(), block, p);
        GradientCheck.AssertBitwise(block, vectorBlock, p);
        Assert.Throws<ArgumentException>(() => KernelSet.Fast.Conv2DFilterGrad(p, input, accGrad, channels, new float[count * perOutput], p.OutputC - count + 1));
    }

    [Theory]
    [Seeds(12)]
    public void FilterGrad_SelectedChannels_AreSlicesOfTheFullGradient(int seed)
    {
        var random = new Random(4000 + seed);
        var (p, input, _, _) = Conv2DTests.RandomCase(random);
        var accGrad = GradientCheck.SparseGradient(random, p.OutputLength);
        var full = new float[p.FilterLength];
        KernelSet.Fast.Conv2DFilterGrad(p, input, accGrad, GradientCheck.AllChannels(p.InputC), full);
        int[] channels = GradientCheck.SomeChannels(random, p.InputC);
        var selected = new float[p.OutputC * p.KernelH * p.KernelW * channels.Length];
        KernelSet.Fast.Conv2DFilterGrad(p, input, accGrad, channels, selected);
        for (int tap = 0; tap < p.OutputC * p.KernelH * p.KernelW; tap++)
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
        var random = new Random(5000 + seed);
        var (p, input, filter, _) = Conv2DTests.RandomCase(random);
        var accGrad = GradientCheck.SparseGradient(random, p.OutputLength);
        var floatFilter = GradientCheck.Floats(random, p.FilterLength);
        var floatInput = GradientCheck.Floats(random, p.InputLength);
        int[] channels = GradientCheck.SomeChannels(random, p.InputC);
        int filterGradLength = p.OutputC * p.KernelH * p.KernelW * channels.Length;
        KernelSets.AssertAgree(set =>
        {
            float[] inputGrad = new float[p.InputLength], floatInputGrad = new float[p.InputLength];
            float[] filterGrad = new float[filterGradLength], floatFilterGrad = new float[filterGradLength];
            set.Conv2DInputGrad(p, accGrad, filter, inputGrad);
            set.Conv2DInputGrad(p, accGrad, floatFilter, floatInputGrad);
            set.Conv2DFilterGrad(p, input, accGrad, channels, filterGrad);
            set.Conv2DFilterGrad(p, floatInput, accGrad, channels, floatFilterGrad);
            return [inputGrad, floatInputGrad, filterGrad, floatFilterGrad];
        }, p);
    }

    [Fact]
    public void Validation_RejectsWrongLengthsAndChannels()
    {
        var p = Geometry(4, 4, 2, 3, 3, 3, 1, 1, 1, 1);
        var accGrad = new float[p.OutputLength];
        Assert.Throws<ArgumentException>(() => KernelSet.Fast.Conv2DInputGrad(p, accGrad, new sbyte[p.FilterLength - 1], new float[p.InputLength]));
        Assert.Throws<ArgumentException>(() => KernelSet.Fast.Conv2DInputGrad(p, accGrad, new float[p.FilterLength], new float[p.InputLength + 1]));
        Assert.Throws<ArgumentException>(() => KernelSet.Fast.Conv2DInputGrad(p, accGrad.AsSpan(1), new sbyte[p.FilterLength], new float[p.InputLength]));
        Assert.Throws<ArgumentException>(() => KernelSet.Fast.Conv2DFilterGrad(p, new sbyte[p.InputLength], accGrad, [0, 2], new float[3 * 9 * 2]));
        Assert.Throws<ArgumentException>(() => KernelSet.Fast.Conv2DFilterGrad(p, new sbyte[p.InputLength], accGrad, [1], new float[3 * 9 * 2]));
        Assert.Throws<ArgumentException>(() => KernelSet.Fast.Conv2DFilterGrad(p, new float[p.InputLength - 1], accGrad, [1], new float[3 * 9]));
        Assert.Throws<ArgumentException>(() => KernelSet.Fast.Conv2DForwardFloat(p, new float[p.InputLength], new float[p.FilterLength], [], new float[p.OutputLength], 1, 0, default));
    }

    private static float[] InputGrad(KernelSet set, Conv2DParams p, float[] accGrad, float[] filter)
    {
        var inputGrad = new float[p.InputLength];
        set.Conv2DInputGrad(p, accGrad, filter, inputGrad);
        return inputGrad;
    }
}
