using TinyTrain.Kernels;

namespace TinyTrain.Tests.Kernels;

public class AveragePool2DBackwardTests
{
    [Theory]
    [InlineData(4, 4, 2, 2, 2, 0)] // 2x2 stride 2, no overlap
    [InlineData(5, 5, 3, 3, 1, 1)] // 3x3 stride 1 with padding: overlapping windows of varying counts
    [InlineData(3, 4, 3, 4, 1, 0)] // global pool
    public void FiniteDifferences_MatchTheInputGradient(int inputH, int inputW, int filterH, int filterW, int stride, int pad)
    {
        int outputH = (inputH + 2 * pad - filterH) / stride + 1, outputW = (inputW + 2 * pad - filterW) / stride + 1;
        var p = new PoolParams(inputH, inputW, 3, outputH, outputW, filterH, filterW, stride, stride, pad, pad, -128, 127, PoolRounding.HalfToEven);
        var random = new Random(inputH * 10 + filterH);
        var input = GradientCheck.Floats(random, inputH * inputW * 3);
        var r = GradientCheck.Floats(random, outputH * outputW * 3);
        var output = new float[r.Length];
        var inputGrad = new float[input.Length];
        KernelSet.Fast.AveragePool2DBackward(p, r, inputGrad);

        double Loss()
        {
            AveragePool2D.ForwardFloat(p, input, output);
            return GradientCheck.Dot(r, output);
        }

        GradientCheck.AssertMatches(input, inputGrad, Loss, "input");
    }

    [Fact]
    public void Backward_DividesByTheInImageCount_HandComputed()
    {
        // 2x2 input, 2x2 window, stride 1, padding 1 on top/left: 2x2 outputs whose windows cover 1, 2, 2, 4 pixels.
        var p = new PoolParams(2, 2, 1, 2, 2, 2, 2, 1, 1, 1, 1, -128, 127, PoolRounding.HalfToEven);
        var inputGrad = new float[4];
        KernelSet.Fast.AveragePool2DBackward(p, [4, 2, 6, 8], inputGrad);
        // (0, 0) gets 4/1 + 2/2 + 6/2 + 8/4 = 10; (0, 1): 2/2 + 8/4 = 3; (1, 0): 6/2 + 8/4 = 5; (1, 1): 8/4 = 2.
        Assert.Equal(new float[] { 10, 3, 5, 2 }, inputGrad);
    }

    [Theory]
    [Seeds(40)]
    public void Vectorized_MatchesReferenceBitForBit_AtEveryWidth(int seed)
    {
        var random = new Random(9300 + seed);
        int filterH = random.Next(1, 8), filterW = random.Next(4) == 0 ? random.Next(1, 8) : filterH;
        int strideH = random.Next(1, 3), strideW = random.Next(1, 3);
        int padTop = random.Next(0, filterH / 2 + 1), padLeft = random.Next(0, filterW / 2 + 1);
        int channels = random.Next(1, 68);
        int inputH = Math.Max(1, filterH - 2 * padTop + random.Next(0, 9)), inputW = Math.Max(1, filterW - 2 * padLeft + random.Next(0, 9));
        int outputH = (inputH + 2 * padTop - filterH) / strideH + 1, outputW = (inputW + 2 * padLeft - filterW) / strideW + 1;
        var p = new PoolParams(inputH, inputW, channels, outputH, outputW, filterH, filterW, strideH, strideW, padTop, padLeft,
            -128, 127, PoolRounding.HalfToEven);
        // Values of mixed magnitude make the order of additions observable in the last bits.
        var outputGrad = GradientCheck.SparseGradient(random, outputH * outputW * channels);
        for (int i = 0; i < outputGrad.Length; i += 5)
        {
            outputGrad[i] *= 1e4f;
        }

        KernelSets.AssertAgree(set =>
        {
            var inputGrad = new float[inputH * inputW * channels];
            inputGrad.AsSpan().Fill(float.NaN); // must be overwritten
            set.AveragePool2DBackward(p, outputGrad, inputGrad);
            return [inputGrad];
        }, p);
    }
}
