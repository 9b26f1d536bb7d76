using TinyTrain.Kernels;

namespace TinyTrain.Tests.Kernels;

public class SoftmaxCrossEntropyTests
{
    [Fact]
    public void Forward_MatchesDoublePrecision()
    {
        float[] logits = [1, 2, 3, -1];
        var grad = new float[4];
        float loss = SoftmaxCrossEntropy.Forward(logits, 1, grad);
        double sum = logits.Sum(z => Math.Exp(z));
        Assert.Equal(Math.Log(sum) - 2, loss, 1e-5);
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(Math.Exp(logits[i]) / sum - (i == 1 ? 1 : 0), grad[i], 1e-6);
        }

        Assert.Equal(0, grad.Sum(), 1e-6);
    }

    [Fact]
    public void Forward_IsStableForHugeLogits_AndWorksInPlace()
    {
        float[] logits = [1000, 1000, -1000];
        float loss = SoftmaxCrossEntropy.Forward(logits, 0, logits);
        Assert.Equal(MathF.Log(2), loss, 6);
        Assert.Equal(new float[] { -0.5f, 0.5f, 0 }, logits);
    }

    [Fact]
    public void FiniteDifferences_MatchTheLogitGradient()
    {
        var random = new Random(12);
        var logits = GradientCheck.Floats(random, 10, 3f);
        var grad = new float[10];
        SoftmaxCrossEntropy.Forward(logits, 7, grad);
        var scratch = new float[10];
        GradientCheck.AssertMatches(logits, grad, () => SoftmaxCrossEntropy.Forward(logits, 7, scratch), "logits", eps: 1e-2f);
    }

    [Fact]
    public void PredictAndDequantize()
    {
        Assert.Equal(1, SoftmaxCrossEntropy.Predict([0.5f, 2, 2, -1]));
        var real = new float[3];
        SoftmaxCrossEntropy.Dequantize([-128, 0, 127], 0.5f, -28, real);
        Assert.Equal(new float[] { -50, 14, 77.5f }, real);
        Assert.Throws<ArgumentException>(() => SoftmaxCrossEntropy.Forward([1, 2], 2, new float[2]));
        Assert.Throws<ArgumentException>(() => SoftmaxCrossEntropy.Forward([1, 2], 0, new float[1]));
        Assert.Throws<ArgumentException>(() => SoftmaxCrossEntropy.Forward([], 0, []));
        Assert.Throws<ArgumentException>(() => SoftmaxCrossEntropy.Predict(ReadOnlySpan<float>.Empty));
    }
}
