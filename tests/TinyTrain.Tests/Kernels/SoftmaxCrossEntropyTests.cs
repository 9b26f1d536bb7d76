using TinyTrain.Kernels;

namespace TinyTrain.Tests.Kernels;

public class SoftmaxCrossEntropyTests
{
    public static IEnumerable<object[]> Paths => [["dispatched"], ["reference"], ["vectorized"]];

    // An absolute tolerance rather than "equal after rounding to 6 places": the gradient -0.7582175 sits near a
    // rounding boundary, and an ulp of difference between the paths (about 6e-8 here) must not flip it.
    [Theory]
    [MemberData(nameof(Paths))]
    public void Forward_MatchesDoublePrecision(string path)
    {
        float[] logits = [1, 2, 3, -1];
        var grad = new float[4];
        float loss = path switch
        {
            "reference" => SoftmaxCrossEntropy.ForwardReference(logits, 1, grad),
            "vectorized" => SoftmaxCrossEntropy.ForwardVectorized(logits, 1, grad),
            _ => SoftmaxCrossEntropy.Forward(logits, 1, grad),
        };
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
        Assert.Equal(2, SoftmaxCrossEntropy.Predict(new sbyte[] { -5, 3, 7, 7 }));
        var real = new float[3];
        SoftmaxCrossEntropy.Dequantize([-128, 0, 127], 0.5f, -28, real);
        Assert.Equal(new float[] { -50, 14, 77.5f }, real);
        Assert.Throws<ArgumentException>(() => SoftmaxCrossEntropy.Forward([1, 2], 2, new float[2]));
        Assert.Throws<ArgumentException>(() => SoftmaxCrossEntropy.Predict(ReadOnlySpan<float>.Empty));
    }

    public static IEnumerable<object[]> Lengths => Enumerable.Range(1, 257).Select(length => new object[] { length });

    /// <summary>
    /// Not bit-exact (lane-wise partial sums, vector Exp), so within a tight tolerance: on the loss 1e-6 relative
    /// to max(|loss|, 1) (loss = log(sum) - target carries the sum's relative error as an absolute one, so a
    /// near-zero loss cannot be held to a purely relative bound), and on each gradient 1e-6 relative to max(|g|, 1e-3) (the label's p - 1 cancels when p is near 1, so a
    /// purely relative bound there would only measure the cancellation).
    /// </summary>
    [Theory]
    [MemberData(nameof(Lengths))]
    public void Vectorized_IsWithinARelativeTolerance_OfTheReference(int length)
    {
        var random = new Random(9500 + length);
        for (int trial = 0; trial < 4; trial++)
        {
            float scale = trial switch { 0 => 1f, 1 => 5f, 2 => 20f, _ => 0.01f };
            var logits = GradientCheck.Floats(random, length, scale);
            int label = random.Next(length);
            var expected = new float[length];
            float expectedLoss = SoftmaxCrossEntropy.ForwardReference(logits, label, expected);
            foreach (var width in KernelRandom.Widths)
            {
                var actual = new float[length];
                float loss = SoftmaxCrossEntropy.ForwardVectorized(logits, label, actual, width);
                string context = $"length {length} label {label} scale {scale} {width}";
                AssertClose(expectedLoss, loss, Math.Max(Math.Abs(expectedLoss), 1), context + " loss");
                for (int i = 0; i < length; i++)
                {
                    AssertClose(expected[i], actual[i], Math.Max(Math.Abs(expected[i]), 1e-3), $"{context} grad[{i}]");
                }

                var inPlace = (float[])logits.Clone();
                float inPlaceLoss = SoftmaxCrossEntropy.ForwardVectorized(inPlace, label, inPlace, width);
                Assert.Equal(BitConverter.SingleToInt32Bits(loss), BitConverter.SingleToInt32Bits(inPlaceLoss));
                GradientCheck.AssertBitwise(actual, inPlace, context + " in place");
            }

            var dispatched = new float[length];
            float dispatchedLoss = SoftmaxCrossEntropy.Forward(logits, label, dispatched);
            AssertClose(expectedLoss, dispatchedLoss, Math.Max(Math.Abs(expectedLoss), 1), $"length {length} dispatched loss");
            if (length < 4)
            {
                // Below one Vector128 the dispatcher runs the reference.
                Assert.Equal(BitConverter.SingleToInt32Bits(expectedLoss), BitConverter.SingleToInt32Bits(dispatchedLoss));
                GradientCheck.AssertBitwise(expected, dispatched, length);
            }
        }
    }

    [Fact]
    public void Vectorized_IsStableForHugeLogits_AndValidates()
    {
        float[] logits = [1000, 1000, -1000, 1000, -1000, 1000, 1000, 1000, 1000];
        foreach (var width in KernelRandom.Widths)
        {
            var grad = new float[logits.Length];
            float loss = SoftmaxCrossEntropy.ForwardVectorized(logits, 2, grad, width);
            Assert.True(float.IsFinite(loss), $"{width}: {loss}");
            Assert.Equal(2000 + MathF.Log(7), loss, 3);
            Assert.All(grad, g => Assert.True(float.IsFinite(g)));
            Assert.Throws<ArgumentException>(() => SoftmaxCrossEntropy.ForwardVectorized(logits, 9, new float[9], width));
            Assert.Throws<ArgumentException>(() => SoftmaxCrossEntropy.ForwardVectorized(logits, 0, new float[8], width));
            Assert.Throws<ArgumentException>(() => SoftmaxCrossEntropy.ForwardVectorized([], 0, [], width));
        }
    }

    private static void AssertClose(float expected, float actual, double magnitude, string context)
    {
        double error = Math.Abs((double)expected - actual);
        if (!(error <= 1e-6 * magnitude))
        {
            Assert.Fail($"{context}: expected {expected:R}, got {actual:R}, error {error:E2} > 1e-6 * {magnitude:E2}");
        }
    }
}
