using TinyTrain.Kernels;

namespace TinyTrain.Tests.Kernels;

public class FullyConnectedBackwardTests
{
    [Theory]
    [InlineData(1, 7, 5)]
    [InlineData(3, 4, 9)]
    public void FiniteDifferences_MatchInputFilterAndBiasGradients(int batches, int inputDepth, int outputDepth)
    {
        var p = new FullyConnectedParams(batches, inputDepth, outputDepth, 0, 0, 0, -128, 127, Requantization.FromFloat([1f]));
        var random = new Random(batches * 100 + inputDepth);
        var layer = GradientCheck.ClampedLayer(random, batches * inputDepth, outputDepth * inputDepth, outputDepth, batches * outputDepth,
            (input, filter, bias, output, min, max, mask) => KernelSet.Fast.FullyConnectedForwardFloat(p, input, filter, bias, output, min, max, mask));
        var inputGrad = new float[batches * inputDepth];
        var filterGrad = new float[outputDepth * inputDepth];
        KernelSets.AssertAgree(set =>
        {
            var dispatched = new float[inputGrad.Length];
            set.FullyConnectedInputGrad(p, layer.AccGrad, layer.Filter, dispatched);
            return [dispatched];
        }, p);
        KernelSet.Reference.FullyConnectedInputGrad(p, layer.AccGrad, layer.Filter, inputGrad);
        KernelSet.Reference.FullyConnectedFilterGrad(p, layer.Input, layer.AccGrad, GradientCheck.AllChannels(inputDepth), filterGrad);
        layer.AssertGradients(inputGrad, filterGrad);
    }

    [Fact]
    public void Int8Grads_UseBothZeroPoints_HandComputed()
    {
        // W - fzp = [[1, 2, 3], [-4, 5, -6]] with fzp 2; x - xzp = [10, -20, 30] with xzp 10; accGrad = [1, 0.5].
        var p = new FullyConnectedParams(1, 3, 2, 10, 2, 0, -128, 127, Requantization.FromFloat([1f]));
        var inputGrad = new float[3];
        KernelSet.Reference.FullyConnectedInputGrad(p, [1, 0.5f], [3, 4, 5, -2, 7, -4], inputGrad);
        Assert.Equal(new float[] { 1 - 2, 2 + 2.5f, 3 - 3 }, inputGrad);
        var filterGrad = new float[4];
        KernelSet.Reference.FullyConnectedFilterGrad(p, [20, -10, 40], [1, 0.5f], [2, 0], filterGrad);
        Assert.Equal(new float[] { 30, 10, 15, 5 }, filterGrad);
    }

    [Fact]
    public void Vectorized_MatchesReference_ForEveryDepthUpTo257_AndInt8EqualsFp32Copies()
    {
        var random = new Random(8);
        for (int depth = 0; depth <= 257; depth++)
        {
            int batches = random.Next(1, 4), outputs = random.Next(1, 10);
            var p = new FullyConnectedParams(batches, depth, outputs, KernelRandom.ZeroPoint(random),
                random.Next(3) == 0 ? KernelRandom.ZeroPoint(random) : 0, 0, -128, 127, Requantization.FromFloat([1f]));
            var input = KernelRandom.Int8(random, batches * depth);
            var filter = KernelRandom.Int8(random, outputs * depth);
            var accGrad = GradientCheck.SparseGradient(random, batches * outputs);
            int[] channels = GradientCheck.SomeChannels(random, depth);

            var expectedInput = new float[batches * depth];
            var expectedFilter = new float[outputs * channels.Length];
            KernelSet.Reference.FullyConnectedInputGrad(p, accGrad, filter, expectedInput);
            KernelSet.Reference.FullyConnectedFilterGrad(p, input, accGrad, channels, expectedFilter);
            var fromFloat = new float[expectedInput.Length];
            KernelSet.Reference.FullyConnectedInputGrad(p, accGrad, GradientCheck.ToFloat(filter, p.FilterZeroPoint), fromFloat);
            GradientCheck.AssertBitwise(expectedInput, fromFloat, p);
            var filterFromFloat = new float[expectedFilter.Length];
            KernelSet.Reference.FullyConnectedFilterGrad(p, GradientCheck.ToFloat(input, p.InputZeroPoint), accGrad, channels, filterFromFloat);
            GradientCheck.AssertBitwise(expectedFilter, filterFromFloat, p);

            KernelSets.AssertAgree(set =>
            {
                float[] inputGrad = new float[expectedInput.Length], filterGrad = new float[expectedFilter.Length];
                set.FullyConnectedInputGrad(p, accGrad, filter, inputGrad);
                set.FullyConnectedFilterGrad(p, input, accGrad, channels, filterGrad);
                return [inputGrad, filterGrad];
            }, p);
        }
    }

    [Fact]
    public void FilterGrad_SelectedChannels_AreSlicesOfTheFullGradient()
    {
        var random = new Random(9);
        var p = new FullyConnectedParams(2, 40, 6, 3, 0, 0, -128, 127, Requantization.FromFloat([1f]));
        var input = KernelRandom.Int8(random, 80);
        var accGrad = GradientCheck.SparseGradient(random, 12);
        var full = new float[6 * 40];
        KernelSet.Fast.FullyConnectedFilterGrad(p, input, accGrad, GradientCheck.AllChannels(40), full);
        int[] channels = [39, 0, 17, 5];
        var selected = new float[6 * 4];
        KernelSet.Fast.FullyConnectedFilterGrad(p, input, accGrad, channels, selected);
        for (int o = 0; o < 6; o++)
        {
            for (int j = 0; j < 4; j++)
            {
                Assert.Equal(full[o * 40 + channels[j]], selected[o * 4 + j]);
            }
        }
    }

    [Fact]
    public void FilterGrad_OutputWindows_AreBlocksOfTheWholeGradient()
    {
        var random = new Random(19);
        var p = new FullyConnectedParams(3, 40, 7, 3, 0, 0, -128, 127, Requantization.FromFloat([1f]));
        var input = KernelRandom.Int8(random, 120);
        var accGrad = GradientCheck.SparseGradient(random, 21);
        int[] channels = [39, 0, 17, 5, 6];
        var whole = new float[7 * channels.Length];
        KernelSet.Reference.FullyConnectedFilterGrad(p, input, accGrad, channels, whole);
        for (int first = 0; first < 7; first++)
        {
            var block = new float[(7 - first) * channels.Length];
            var vectorBlock = new float[block.Length];
            KernelSet.Reference.FullyConnectedFilterGrad(p, input, accGrad, channels, block, first);
            KernelSet.Fast.FullyConnectedFilterGrad(p, input, accGrad, channels, vectorBlock, first);
            GradientCheck.AssertBitwise(whole.AsSpan(first * channels.Length).ToArray(), block, p);
            GradientCheck.AssertBitwise(block, vectorBlock, p);
        }
        Assert.Throws<ArgumentException>(() => KernelSet.Fast.FullyConnectedFilterGrad(p, input, accGrad, channels, new float[4 * channels.Length + 1], 3));
    }
}
