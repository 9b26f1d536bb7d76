using TinyTrain.Kernels;

namespace TinyTrain.Tests.Kernels;

public class SgdTests
{
    [Fact]
    public void Int8Device_QasRoundingAndClamp_HandComputed()
    {
        // Three output channels of two weights each, lr 0.5, qas 4 / 0.25 / 1:
        //   ch 0: g = 4, -3:   10 - 2 = 8;  -10 + 1.5 = -8.5 -> -8 (half to even)
        //   ch 1: g = -4, 4:  126 + 2 = 128 -> 127; -126 - 2 = -128 -> -127 (symmetric clamp)
        //   ch 2: g = 0.9, 1:   0 - 0.45 -> 0 (sub-LSB update lost);  3 - 0.5 = 2.5 -> 2 (half to even)
        sbyte[] weights = [10, -10, 126, -126, 0, 3];
        Sgd.UpdateInt8WeightsReference(weights, [1, -0.75f, -16, 16, 0.9f, 1], [4, 0.25f, 1], 2, 0.5f, [], 0);
        Assert.Equal(new sbyte[] { 8, -8, 127, -127, 0, 2 }, weights);
    }

    [Fact]
    public void SubLsbUpdates_AreLostOnTheDevice_ButAddUpInTheMaster()
    {
        sbyte[] device = [0];
        float[] master = [0];
        for (int step = 0; step < 10; step++)
        {
            Sgd.UpdateInt8Weights(device, [0.3f], [], 1, 1f, [], 0);
            Sgd.UpdateMaster(master, [0.3f], [], 1, 1f, [], 0);
        }

        Assert.Equal(0, device[0]);
        var rounded = new sbyte[1];
        Sgd.RoundMasterToInt8(master, rounded);
        Assert.Equal(-3, rounded[0]);
    }

    [Fact]
    public void Momentum_AccumulatesTheScaledGradient()
    {
        // qas 2: g = 1; v = 1, then 0.9 * 1 + 1; lr 1.
        sbyte[] weights = [10];
        float[] momentum = [0];
        Sgd.UpdateInt8Weights(weights, [0.5f], [2], 1, 1f, momentum, 0.9f);
        Assert.Equal((9, 1f), (weights[0], momentum[0]));
        Sgd.UpdateInt8Weights(weights, [0.5f], [2], 1, 1f, momentum, 0.9f);
        Assert.Equal((7, 0.9f * 1f + 1f), (weights[0], momentum[0])); // 9 - 1.9 = 7.1 -> 7

        float[] fp32 = [1];
        float[] velocity = [0];
        Sgd.UpdateFloat(fp32, [2], 0.5f, velocity, 0.9f);
        Sgd.UpdateFloat(fp32, [2], 0.5f, velocity, 0.9f);
        Assert.Equal(0f - 0.5f * (0.9f * 2f + 2f), fp32[0]);
    }

    [Fact]
    public void ChannelStrideOne_IsTheDepthwiseChannelLastLayout()
    {
        // [KH * KW = 2, k = 2]: element i belongs to channel i % 2.
        float[] master = [0, 0, 0, 0];
        Sgd.UpdateMasterReference(master, [1, 1, 1, 1], [1, 10], 1, 0.1f, [], 0);
        Assert.Equal(new[] { -0.1f, -0.1f * 10f, -0.1f, -0.1f * 10f }, master);
        sbyte[] weights = [0, 0, 0, 0];
        Sgd.UpdateInt8Weights(weights, [1, 1, 1, 1], [1, 10], 1, 0.1f, [], 0);
        Assert.Equal(new sbyte[] { 0, -1, 0, -1 }, weights);
        Assert.Throws<ArgumentException>(() => Sgd.UpdateMaster(new float[5], new float[5], [1, 10], 1, 0.1f, [], 0));
    }

    [Fact]
    public void Int32Bias_RoundsHalfToEvenExactlyAndSaturates()
    {
        // 1000 - 2.5 = 997.5 -> 998; -5 + 0.5 -> -4; saturates; 2^24 + 1 stays (float32 would make it 2^24);
        // 7 - 0.25 * 2 = 6.5 -> 6; 8 - 0.5 = 7.5 -> 8.
        int[] bias = [1000, -5, int.MaxValue - 1, 16777217, 7, 8];
        Sgd.UpdateInt32Bias(bias, [2.5f, -0.5f, -10, 0, 2, 0.5f], [1, 1, 1, 1, 0.25f, 1], 1f, [], 0);
        Assert.Equal(new[] { 998, -4, int.MaxValue, 16777217, 6, 8 }, bias);

        int[] big = [(1 << 30) + 1, 3, int.MinValue + 2];
        Sgd.UpdateInt32Bias(big, [0.5f, -MathF.ScaleB(1, -30), 1e30f], [], 1f, [], 0);
        Assert.Equal(new[] { 1 << 30, 3, int.MinValue }, big);
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
            Sgd.UpdateInt32Bias(bias, [step], [], 1f, [], 0);
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
    public void NaNUpdates_LeaveTheWeightUnchanged_InBothPaths()
    {
        sbyte[] expected = Enumerable.Range(0, 40).Select(i => (sbyte)(i - 20)).ToArray();
        var grad = Enumerable.Repeat(float.NaN, 40).ToArray();
        foreach (var width in KernelRandom.Widths)
        {
            var weights = (sbyte[])expected.Clone();
            Sgd.UpdateInt8WeightsVectorized(weights, grad, [], 1, 0.1f, [], 0, width);
            Assert.Equal(expected, weights);
        }

        var reference = (sbyte[])expected.Clone();
        Sgd.UpdateInt8WeightsReference(reference, grad, [], 1, 0.1f, [], 0);
        Assert.Equal(expected, reference);
    }

    [Fact]
    public void Vectorized_MatchesReference_ForEveryLengthUpTo257()
    {
        var random = new Random(17);
        for (int length = 0; length <= 257; length++)
        {
            int[] divisors = Enumerable.Range(1, Math.Max(length, 1)).Where(d => length % d == 0).ToArray();
            int channels = divisors[random.Next(divisors.Length)];
            int kind = random.Next(4); // no QAS, per-tensor, channel-first (OHWI), channel-last (depthwise)
            int stride = kind == 2 ? Math.Max(length / channels, 1) : 1;
            var qas = kind == 0 ? [] : GradientCheck.Floats(random, kind == 1 ? 1 : channels, 4f);
            var grad = GradientCheck.Floats(random, length, 40f);
            bool withMomentum = random.Next(2) == 0;
            var momentum = withMomentum ? GradientCheck.Floats(random, length) : [];
            float lr = (float)random.NextDouble();
            var weights = KernelRandom.Int8(random, length);
            var master = GradientCheck.Floats(random, length, 100f);
            string context = $"length {length} kind {kind} channels {channels} momentum {withMomentum}";

            var expectedWeights = (sbyte[])weights.Clone();
            var expectedMomentum = (float[])momentum.Clone();
            Sgd.UpdateInt8WeightsReference(expectedWeights, grad, qas, stride, lr, expectedMomentum, 0.9f);
            var expectedMaster = (float[])master.Clone();
            var expectedMasterMomentum = (float[])momentum.Clone();
            Sgd.UpdateMasterReference(expectedMaster, grad, qas, stride, lr, expectedMasterMomentum, 0.9f);
            foreach (var width in KernelRandom.Widths)
            {
                var actualWeights = (sbyte[])weights.Clone();
                var actualMomentum = (float[])momentum.Clone();
                Sgd.UpdateInt8WeightsVectorized(actualWeights, grad, qas, stride, lr, actualMomentum, 0.9f, width);
                KernelRandom.AssertSame(expectedWeights, actualWeights, $"{width} {context}");
                GradientCheck.AssertBitwise(expectedMomentum, actualMomentum, $"{width} {context}");
                var actualMaster = (float[])master.Clone();
                actualMomentum = (float[])momentum.Clone();
                Sgd.UpdateMasterVectorized(actualMaster, grad, qas, stride, lr, actualMomentum, 0.9f, width);
                GradientCheck.AssertBitwise(expectedMaster, actualMaster, $"master {width} {context}");
                GradientCheck.AssertBitwise(expectedMasterMomentum, actualMomentum, $"master {width} {context}");
            }
        }
    }
}
