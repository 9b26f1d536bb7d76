using TinyTrain.Kernels;

namespace TinyTrain.Tests.Kernels;

public class SoftmaxTests
{
    [Fact]
    public void Prepare_MatchesTfliteScaling()
    {
        // beta 1, scale 0.1f: 0.1f * 2^26 = 6710886.5 = 0.8000000119 * 2^23; radius floor(31 * 2^26 / 2^23) = 248.
        Assert.Equal(new SoftmaxParams(1, 5, 1717986944, 23, -248), Softmax.Prepare(1, 5, 1.0, 0.1));
    }

    // TFLite Micro's softmax_test.cc: inputs quantised with scale 0.1, zero point 0, checked within 1 LSB of the
    // float goldens quantised with scale 1/256, zero point -128.
    [Theory]
    [InlineData(new float[] { 1, 2, 3, 4, 5 }, new float[] { 0.011656231f, 0.031684921f, 0.086128544f, 0.234121657f, 0.636408647f })]
    [InlineData(
        new float[] { 1, 2, 3, 4, 5, -1, -2, -3, -4, -5 },
        new float[] { 0.011656231f, 0.031684921f, 0.086128544f, 0.234121657f, 0.636408647f, 0.636408647f, 0.234121657f, 0.086128544f, 0.031684921f, 0.011656231f })]
    [InlineData(
        new float[] { 3, 6, -5, 4, -9, -10, -10, -8, 2, 2, 8, -5, -8, 5, -6, -8, 6, 1, -10, -8 },
        new float[]
        {
            0.042009463f, 0.843782625f, 0.000014093f, 0.114193561f, 0.000000258f,
            0.000003072f, 0.000003072f, 0.000022699f, 0.499985578f, 0.499985578f,
            0.952571219f, 0.000002153f, 0.000000107f, 0.047425728f, 0.000000792f,
            0.000000826f, 0.993305397f, 0.006692839f, 0.000000112f, 0.000000826f,
        })]
    public void TfliteMicroGoldens_WithinOneLsb(float[] input, float[] golden)
    {
        var quantized = input.Select(value => (sbyte)Math.Round(value / 0.1f)).ToArray();
        var p = Softmax.Prepare(input.Length / 5, 5, 1.0, 0.1);
        var output = new sbyte[input.Length];
        Softmax.Forward(p, quantized, output);
        for (int i = 0; i < input.Length; i++)
        {
            int expected = Math.Clamp((int)Math.Round(golden[i] * 256f) - 128, -128, 127);
            Assert.InRange(output[i], expected - 1, expected + 1);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(10)]
    public void EqualInputs_GiveEqualOutputsSummingTo256(int depth)
    {
        var p = Softmax.Prepare(1, depth, 1.0, 0.05);
        var input = Enumerable.Repeat((sbyte)17, depth).ToArray();
        var output = new sbyte[depth];
        Softmax.Forward(p, input, output);
        Assert.All(output, value => Assert.Equal(output[0], value));
        int total = output.Sum(value => value + 128);
        Assert.InRange(total, 256 - depth, 256 + depth); // each output is rounded; depth 1 saturates at 255
        if (depth == 4)
        {
            Assert.Equal(-64, output[0]); // exactly 1/4
        }
    }

    [Fact]
    public void LargeGap_SaturatesBothEnds()
    {
        var p = Softmax.Prepare(2, 2, 1.0, 1.0);
        var output = new sbyte[4];
        Softmax.Forward(p, [127, -128, -128, 127], output);
        Assert.Equal(new sbyte[] { 127, -128, -128, 127 }, output);
    }

    [Fact]
    public void Outputs_AreMonotonicInTheInputs()
    {
        var random = new Random(31);
        for (int trial = 0; trial < 200; trial++)
        {
            int depth = random.Next(1, 40);
            var p = Softmax.Prepare(1, depth, random.Next(2) == 0 ? 1.0 : 0.5 + random.NextDouble(), 0.01 + random.NextDouble() * 0.2);
            var input = KernelRandom.Int8(random, depth);
            var output = new sbyte[depth];
            Softmax.Forward(p, input, output);
            for (int i = 0; i < depth; i++)
            {
                for (int j = 0; j < depth; j++)
                {
                    if (input[i] > input[j])
                    {
                        Assert.True(output[i] >= output[j], $"x {input[i]} > {input[j]} but y {output[i]} < {output[j]}");
                    }
                    else if (input[i] == input[j])
                    {
                        Assert.Equal(output[i], output[j]);
                    }
                }
            }

            Assert.InRange(output.Sum(value => value + 128), 256 - depth, 256 + depth);
        }
    }

    [Fact]
    public void Rows_AreIndependent()
    {
        var p = Softmax.Prepare(2, 3, 1.0, 0.1);
        var both = new sbyte[6];
        var first = new sbyte[3];
        Softmax.Forward(p, [10, 20, 30, -50, 0, 50], both);
        Softmax.Forward(p with { Rows = 1 }, [10, 20, 30], first);
        Assert.Equal(first, both[..3]);
        Assert.NotEqual(both[..3], both[3..]);
    }

    [Fact]
    public void Validation_RejectsWrongLengths()
    {
        var p = Softmax.Prepare(2, 3, 1.0, 0.1);
        Assert.Throws<ArgumentException>(() => Softmax.Forward(p, new sbyte[5], new sbyte[6]));
        Assert.Throws<ArgumentException>(() => Softmax.Forward(p, new sbyte[6], new sbyte[7]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Softmax.Prepare(1, 3, 1.0, 1e-9));
    }
}
