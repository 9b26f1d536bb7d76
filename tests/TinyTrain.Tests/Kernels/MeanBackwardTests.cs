using TinyTrain.Kernels;

namespace TinyTrain.Tests.Kernels;

/// <summary>The fp32 mean and the mean's gradient, against their definitions and each other (a finite difference).</summary>
public sealed class MeanBackwardTests
{
    [Fact]
    public void The_gradient_reaches_every_position_of_its_channel_scaled()
    {
        float[] gradient = [1f, -2f, 0.5f];
        var output = new float[4 * 3];
        Mean.Backward(4, 3, 0.25f, gradient, output);
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal([0.25f, -0.5f, 0.125f], output.AsSpan(i * 3, 3).ToArray());
        }
    }

    [Fact]
    public void The_fp32_mean_is_the_channel_average_and_its_gradient_is_its_derivative()
    {
        var random = new Random(3);
        const int h = 3, w = 5, c = 4;
        var x = Enumerable.Range(0, h * w * c).Select(_ => (float)random.NextDouble() * 4 - 2).ToArray();
        var y = new float[c];
        Mean.ForwardFloat(h, w, c, x, y);
        for (var k = 0; k < c; k++)
        {
            var expected = Enumerable.Range(0, h * w).Sum(i => (double)x[i * c + k]) / (h * w);
            Assert.Equal(expected, y[k], 5);
        }

        // d(sum_k g[k] * y[k]) / dx = Backward(g) with scale 1/(h*w): checked by central differences.
        float[] g = [0.3f, -1.1f, 2f, 0.7f];
        var analytic = new float[x.Length];
        Mean.Backward(h * w, c, 1f / (h * w), g, analytic);
        const float eps = 1e-2f;
        for (var i = 0; i < x.Length; i += 7)
        {
            double Loss(float delta)
            {
                var shifted = (float[])x.Clone();
                shifted[i] += delta;
                var mean = new float[c];
                Mean.ForwardFloat(h, w, c, shifted, mean);
                return mean.Select((m, k) => (double)m * g[k]).Sum();
            }
            Assert.Equal((Loss(eps) - Loss(-eps)) / (2 * eps), analytic[i], 3);
        }
    }

    [Fact]
    public void Lengths_that_do_not_match_are_refused()
    {
        Assert.Throws<ArgumentException>(() => Mean.Backward(4, 3, 1f, new float[2], new float[12]));
        Assert.Throws<ArgumentException>(() => Mean.ForwardFloat(2, 2, 3, new float[11], new float[3]));
    }
}
