using TinyTrain.Kernels;

namespace TinyTrain.Tests.Kernels;

/// <summary>The fp32 pad pads with 0, and the pad's gradient is its adjoint: &lt;pad(x), g&gt; = &lt;x, grad(g)&gt;.</summary>
public sealed class PadBackwardTests
{
    [Theory]
    [InlineData(3, 4, 2, 1, 0, 2, 1, 0, 0)]
    [InlineData(2, 2, 3, 0, 1, 0, 1, 1, 2)]
    [InlineData(1, 5, 1, 2, 2, 0, 0, 0, 0)]
    public void The_gradient_is_the_adjoint_of_the_fp32_pad(int h, int w, int c, int top, int bottom, int left, int right, int before, int after)
    {
        var p = new PadParams(h, w, c, top, bottom, left, right, before, after, -5);
        var random = new Random(h * 100 + w * 10 + c);
        var x = Enumerable.Range(0, h * w * c).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var g = Enumerable.Range(0, p.OutputH * p.OutputW * p.OutputC).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var padded = new float[g.Length];
        Pad.ForwardFloat(p, x, padded);
        Assert.Equal(padded.Length - x.Length, padded.Count(v => v == 0f)); // real 0 everywhere but the copy
        var back = new float[x.Length];
        Pad.Backward(p, g, back);
        double left1 = padded.Zip(g, (a, b) => (double)a * b).Sum(), right1 = x.Zip(back, (a, b) => (double)a * b).Sum();
        Assert.Equal(left1, right1, 9);
        // and the int8 pad puts the input in the same place
        var xi = x.Select((_, i) => (sbyte)(i % 100 + 1)).ToArray();
        var yi = new sbyte[g.Length];
        Pad.Forward(p, xi, yi);
        var xf = xi.Select(v => (float)v).ToArray();
        var yf = new float[g.Length];
        Pad.ForwardFloat(p, xf, yf);
        Assert.Equal(yi.Select(v => v == -5 ? 0f : v), yf);
    }

    [Fact]
    public void Lengths_that_do_not_match_are_refused()
    {
        var p = new PadParams(2, 2, 1, 1, 1, 1, 1, 0, 0, 0);
        Assert.Throws<ArgumentException>(() => Pad.Backward(p, new float[15], new float[4]));
        Assert.Throws<ArgumentException>(() => Pad.ForwardFloat(p, new float[4], new float[17]));
    }
}
