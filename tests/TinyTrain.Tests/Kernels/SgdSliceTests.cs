using TinyTrain.Kernels;

namespace TinyTrain.Tests.Kernels;

public class SgdSliceTests
{
    [Fact]
    public void A_slice_over_every_channel_updates_exactly_as_the_dense_kernel()
    {
        var random = new Random(4);
        const int outC = 5, taps = 3, inC = 7;
        var weights = Enumerable.Range(0, outC * taps * inC).Select(_ => (sbyte)random.Next(-127, 128)).ToArray();
        var grad = Enumerable.Range(0, weights.Length).Select(_ => (float)(random.NextDouble() - 0.5) * 40).ToArray();
        var qas = Enumerable.Range(0, outC).Select(_ => (float)random.NextDouble() * 3).ToArray();
        var (dense, sliced) = ((sbyte[])weights.Clone(), (sbyte[])weights.Clone());
        var (v1, v2) = (new float[grad.Length], new float[grad.Length]);
        for (var step = 0; step < 3; step++)
        {
            Sgd.UpdateInt8Weights(dense, grad, qas, taps * inC, 0.7f, v1, 0.9f);
            SgdSlice.UpdateInt8(sliced, grad, qas, new SliceLayout(inC, [.. Enumerable.Range(0, inC)], taps * inC), 0.7f, v2, 0.9f);
        }
        Assert.Equal(dense, sliced);
        Assert.Equal(v1, v2);
    }

    [Fact]
    public void A_channel_subset_updates_only_its_channels()
    {
        var weights = new sbyte[2 * 4]; // [O=2, I=4]
        var grad = new float[] { 1, 2, 3, 4 }; // [O=2, k=2] for input channels 1 and 3
        SgdSlice.UpdateInt8(weights, grad, [1f, 10f], new SliceLayout(4, [1, 3], 2), 1f, default, 0);
        Assert.Equal(new sbyte[] { 0, -1, 0, -2, 0, -30, 0, -40 }, weights);
    }

    [Fact]
    public void Int32_bias_updates_are_exact_far_beyond_float_precision()
    {
        int[] dense = [int.MaxValue - 3, -(1 << 30) - 1, 12345677];
        int[] sliced = [.. dense];
        float[] grad = [0f, 0.5f, -1.5f];
        Sgd.UpdateInt32Bias(dense, grad, [1f, 1f, 1f], 1f, default, 0);
        SgdSlice.UpdateInt32(sliced, grad, [1f, 1f, 1f], SliceLayout.Vector, 1f, default, 0);
        Assert.Equal(dense, sliced);
        Assert.Equal(int.MaxValue - 3, sliced[0]); // a zero step never moves a bias, even above 2^24
        Assert.Equal(-1073741826, sliced[1]); // -2^30 - 1 - 0.5 rounds half to even
        Assert.Equal(12345678, sliced[2]); // 12345677 + 1.5 = 12345678.5 rounds half to even
    }
}
