using TinyTrain.Kernels;

namespace TinyTrain.Tests.Kernels;

public class SgdSliceTests
{
    /// <summary>The layout of a whole [outputs, perOutput] tensor, every output's elements sharing its QAS factor.</summary>
    private static SliceLayout Whole(int perOutput) => new(perOutput, [.. Enumerable.Range(0, perOutput)], perOutput);

    [Fact]
    public void Int8Device_QasRoundingAndClamp_HandComputed()
    {
        // Three output channels of two weights each, lr 0.5, qas 4 / 0.25 / 1:
        //   ch 0: g = 4, -3:   10 - 2 = 8;  -10 + 1.5 = -8.5 -> -8 (half to even)
        //   ch 1: g = -4, 4:  126 + 2 = 128 -> 127; -126 - 2 = -128 -> -127 (symmetric clamp)
        //   ch 2: g = 0.9, 1:   0 - 0.45 -> 0 (sub-LSB update lost);  3 - 0.5 = 2.5 -> 2 (half to even)
        sbyte[] weights = [10, -10, 126, -126, 0, 3];
        SgdSlice.UpdateInt8(weights, [1, -0.75f, -16, 16, 0.9f, 1], [4, 0.25f, 1], Whole(2), 0.5f, [], 0);
        Assert.Equal(new sbyte[] { 8, -8, 127, -127, 0, 2 }, weights);
    }

    [Fact]
    public void SubLsbUpdates_AreLostOnTheDevice_ButAddUpInTheMaster()
    {
        sbyte[] device = [0];
        float[] master = [0];
        for (int step = 0; step < 10; step++)
        {
            SgdSlice.UpdateInt8(device, [0.3f], [1f], SliceLayout.Vector, 1f, [], 0);
            SgdSlice.UpdateMaster(master, [0.3f], [1f], SliceLayout.Vector, 1f, [], 0);
        }

        Assert.Equal(0, device[0]);
        var rounded = new sbyte[1];
        SgdSlice.RoundToInt8(master, rounded, SliceLayout.Vector, 1);
        Assert.Equal(-3, rounded[0]);
    }

    [Fact]
    public void Momentum_AccumulatesTheScaledGradient()
    {
        // qas 2: g = 1; v = 1, then 0.9 * 1 + 1; lr 1.
        sbyte[] weights = [10];
        float[] velocity = [0];
        SgdSlice.UpdateInt8(weights, [0.5f], [2], SliceLayout.Vector, 1f, velocity, 0.9f);
        Assert.Equal((9, 1f), (weights[0], velocity[0]));
        SgdSlice.UpdateInt8(weights, [0.5f], [2], SliceLayout.Vector, 1f, velocity, 0.9f);
        Assert.Equal((7, 0.9f * 1f + 1f), (weights[0], velocity[0])); // 9 - 1.9 = 7.1 -> 7

        float[] fp32 = [1];
        float[] floatVelocity = [0];
        SgdSlice.UpdateFloat(fp32, [2], [1f], SliceLayout.Vector, 0.5f, floatVelocity, 0.9f);
        SgdSlice.UpdateFloat(fp32, [2], [1f], SliceLayout.Vector, 0.5f, floatVelocity, 0.9f);
        Assert.Equal(0f - 0.5f * (0.9f * 2f + 2f), fp32[0]);
    }

    [Fact]
    public void QasStrideZero_IsTheDepthwiseChannelLastLayout()
    {
        // [KH * KW = 2, k = 2]: element e belongs to channel e % 2.
        var depthwise = new SliceLayout(2, [0, 1], 0);
        float[] master = [0, 0, 0, 0];
        SgdSlice.UpdateMaster(master, [1, 1, 1, 1], [1, 10], depthwise, 0.1f, [], 0);
        Assert.Equal(new[] { -0.1f, -0.1f * 10f, -0.1f, -0.1f * 10f }, master);
        sbyte[] weights = [0, 0, 0, 0];
        SgdSlice.UpdateInt8(weights, [1, 1, 1, 1], [1, 10], depthwise, 0.1f, [], 0);
        Assert.Equal(new sbyte[] { 0, -1, 0, -1 }, weights);
    }

    [Fact]
    public void Int32Bias_RoundsHalfToEvenExactlyAndSaturates()
    {
        // 1000 - 2.5 = 997.5 -> 998; -5 + 0.5 -> -4; saturates; 2^24 + 1 stays (float32 would make it 2^24);
        // 7 - 0.25 * 2 = 6.5 -> 6; 8 - 0.5 = 7.5 -> 8.
        int[] bias = [1000, -5, int.MaxValue - 1, 16777217, 7, 8];
        SgdSlice.UpdateInt32(bias, [2.5f, -0.5f, -10, 0, 2, 0.5f], [1, 1, 1, 1, 0.25f, 1], SliceLayout.Vector, 1f, [], 0);
        Assert.Equal(new[] { 998, -4, int.MaxValue, 16777217, 6, 8 }, bias);

        int[] big = [(1 << 30) + 1, 3, int.MinValue + 2];
        SgdSlice.UpdateInt32(big, [0.5f, -MathF.ScaleB(1, -30), 1e30f], [1, 1, 1], SliceLayout.Vector, 1f, [], 0);
        Assert.Equal(new[] { 1 << 30, 3, int.MinValue }, big);

        int[] extreme = [int.MaxValue - 3, -(1 << 30) - 1, 12345677];
        SgdSlice.UpdateInt32(extreme, [0f, 0.5f, -1.5f], [1f, 1f, 1f], SliceLayout.Vector, 1f, default, 0);
        Assert.Equal(int.MaxValue - 3, extreme[0]); // a zero step never moves a bias, even above 2^24
        Assert.Equal(-1073741826, extreme[1]); // -2^30 - 1 - 0.5 rounds half to even
        Assert.Equal(12345678, extreme[2]); // 12345677 + 1.5 = 12345678.5 rounds half to even
    }

    [Fact]
    public void Int32Bias_EqualsExactArithmetic_OnRandomSteps()
    {
        var random = new Random(16);
        for (int trial = 0; trial < 2000; trial++)
        {
            int b = random.Next(int.MinValue, int.MaxValue);
            float step = random.Next(-80000, 80000) / 8f; // multiples of 1/8: ties are common, and double is exact
            int[] bias = [b];
            SgdSlice.UpdateInt32(bias, [step], [1f], SliceLayout.Vector, 1f, [], 0);
            double exact = Math.Round((double)b - step, MidpointRounding.ToEven);
            Assert.Equal((int)Math.Clamp(exact, int.MinValue, int.MaxValue), bias[0]);
        }
    }

    [Fact]
    public void RoundMaster_ClampsAndSaturates()
    {
        var weights = new sbyte[5];
        Sgd.RoundMasterToInt8([200, -200, 2.5f, -3.5f, float.NaN], weights);
        Assert.Equal(new sbyte[] { 127, -127, 2, -4, 0 }, weights);
        var bias = new int[4];
        Sgd.RoundMasterToInt32([3e9f, -3e9f, 0.5f, 1.5f], bias);
        Assert.Equal(new[] { int.MaxValue, int.MinValue, 0, 2 }, bias);
    }

    [Fact]
    public void NaNUpdates_LeaveTheWeightUnchanged()
    {
        sbyte[] expected = [.. Enumerable.Range(0, 40).Select(i => (sbyte)(i - 20))];
        var weights = (sbyte[])expected.Clone();
        SgdSlice.UpdateInt8(weights, [.. Enumerable.Repeat(float.NaN, 40)], [1f], new SliceLayout(40, [.. Enumerable.Range(0, 40)], 40), 0.1f, [], 0);
        Assert.Equal(expected, weights);
    }

    [Fact]
    public void A_slice_over_every_channel_updates_the_whole_tensor_elementwise()
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
            // The oracle: element i of an OHWI filter belongs to output channel i / (taps * inC).
            for (int i = 0; i < dense.Length; i++)
            {
                v1[i] = 0.9f * v1[i] + grad[i] * qas[i / (taps * inC)];
                float updated = dense[i] - 0.7f * v1[i];
                dense[i] = (sbyte)MathF.Round(Math.Clamp(updated, -127f, 127f));
            }

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
}
