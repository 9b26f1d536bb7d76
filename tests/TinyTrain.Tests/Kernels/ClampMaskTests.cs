using TinyTrain.Kernels;

namespace TinyTrain.Tests.Kernels;

public class ClampMaskTests
{
    // acc = x, * 0.25 rounded half to even, + zero point -128, clamped to [-128, -103] (-103 = -128 + 25):
    //   100 -> 25 -> -103 (the bound: inside)     102 -> 25.5 -> 26 -> -102 (beyond: clamped, outside)
    //    98 -> 24.5 -> 24 -> -104 (inside)        101 -> 25.25 -> 25 -> -103 (rounds to the bound: inside)
    //   103 -> 25.75 -> 26 (outside)                0 -> -128 (the low bound: inside)
    //    -1 -> -0.25 -> 0 (inside)                 -2 -> -0.5 -> 0, half to even (inside)
    //    -3 -> -0.75 -> -1 -> -129 (outside)
    private static readonly sbyte[] BoundInput = [100, 102, 98, 101, 103, 0, -1, -2, -3];
    private static readonly sbyte[] BoundOutput = [-103, -103, -104, -103, -103, -128, -128, -128, -128];
    private static readonly byte[] BoundMask = [0b1110_1101, 0b0000_0000]; // bits 1, 0, 1, 1, 0, 1, 1, 1 | 0

    [Fact]
    public void ByteLength_AndBitOrder()
    {
        Assert.Equal(0, ClampMask.ByteLength(0));
        Assert.Equal(1, ClampMask.ByteLength(8));
        Assert.Equal(2, ClampMask.ByteLength(9));
        Assert.True(ClampMask.IsInside([0b0000_0100], 2));
        Assert.False(ClampMask.IsInside([0b0000_0100], 1));
    }

    [Fact]
    public void Conv_ValueRoundingToTheBound_IsInside_BeyondIsNot()
    {
        var p = new Conv2DParams(1, 9, 1, 1, 9, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, -128, -128, -103, Requantization.FromFloat([0.25f]));
        var output = new sbyte[9];
        var mask = new byte[] { 0xFF, 0xFF }; // stale bits must be cleared
        KernelSet.Reference.Conv2DForwardWithMask(p, BoundInput, [1], [], output, mask);
        Assert.Equal(BoundOutput, output);
        Assert.Equal(BoundMask, mask);
        foreach (var width in KernelRandom.Widths)
        {
            mask = [0xFF, 0xFF];
            KernelSet.At(width).Conv2DForwardWithMask(p, BoundInput, [1], [], output, mask);
            Assert.Equal(BoundMask, mask);
        }
    }

    [Fact]
    public void Add_ValueRoundingToTheBound_IsInside_BeyondIsNot()
    {
        var p = Add.CreateFloat(9, 0.25, 0, 1.0, 0, 1.0, -128, -128, -103);
        var output = new sbyte[9];
        var mask = new byte[2];
        KernelSet.Reference.AddForwardWithMask(p, BoundInput, new sbyte[9], output, mask);
        Assert.Equal(BoundOutput, output);
        Assert.Equal(BoundMask, mask);
    }

    [Fact]
    public void FloatForward_BoundsCountAsInside()
    {
        var output = new float[5];
        var mask = new byte[1];
        Add.ForwardFloatWithMask([6, 6.5f, -0f, -1e-7f, 3], [0, 0, 0, 0, 0], output, 0, 6, mask);
        Assert.Equal(new float[] { 6, 6, -0f, 0, 3 }, output);
        Assert.Equal(0b1_0101, mask[0]);
    }

    [Theory]
    [Seeds(20)]
    public void ConvAndDepthwise_MaskedForwardEqualsForward_VectorizedMaskEqualsReference(int seed)
    {
        var random = new Random(9000 + seed);
        var (p, input, filter, bias) = Conv2DTests.RandomCase(random);
        var plain = new sbyte[p.OutputLength];
        KernelSet.Reference.Conv2DForward(p, input, filter, bias, plain);
        AssertMaskedAgree(plain, p.ActMin, p.ActMax, p, (set, output, mask) => set.Conv2DForwardWithMask(p, input, filter, bias, output, mask));

        var (dp, dInput, dFilter, dBias) = DepthwiseConv2DTests.RandomCase(random);
        var dPlain = new sbyte[dp.OutputLength];
        KernelSet.Reference.DepthwiseConv2DForward(dp, dInput, dFilter, dBias, dPlain);
        AssertMaskedAgree(dPlain, dp.ActMin, dp.ActMax, dp, (set, output, mask) => set.DepthwiseConv2DForwardWithMask(dp, dInput, dFilter, dBias, output, mask));
    }

    [Fact]
    public void FullyConnectedAndAdd_VectorizedMaskEqualsReference_ForEveryLengthUpTo257()
    {
        var random = new Random(10);
        for (int length = 0; length <= 257; length++)
        {
            int outputZeroPoint = KernelRandom.ZeroPoint(random);
            var (min, max) = KernelRandom.Activation(random, outputZeroPoint);
            int batches = random.Next(1, 4);
            var mode = KernelRandom.Mode(random);
            var fc = new FullyConnectedParams(batches, random.Next(0, 40), length, KernelRandom.ZeroPoint(random), 0, outputZeroPoint,
                min, max, KernelRandom.Requant(random, mode, length));
            var input = KernelRandom.Int8(random, batches * fc.InputDepth);
            var filter = KernelRandom.Int8(random, length * fc.InputDepth);
            var bias = KernelRandom.Bias(random, length);
            var plain = new sbyte[batches * length];
            KernelSet.Reference.FullyConnectedForward(fc, input, filter, bias, plain);
            AssertMaskedAgree(plain, min, max, fc, (set, output, mask) => set.FullyConnectedForwardWithMask(fc, input, filter, bias, output, mask));

            var add = mode == RequantMode.Float
                ? Add.CreateFloat(length, 0.02, KernelRandom.ZeroPoint(random), 0.03, KernelRandom.ZeroPoint(random), 0.04, outputZeroPoint, min, max)
                : Add.CreateFixedPoint(length, 0.02, KernelRandom.ZeroPoint(random), 0.03, KernelRandom.ZeroPoint(random), 0.04, outputZeroPoint, min, max);
            var a = KernelRandom.Int8(random, length);
            var b = KernelRandom.Int8(random, length);
            var sum = new sbyte[length];
            KernelSet.Reference.AddForward(add, a, b, sum);
            AssertMaskedAgree(sum, min, max, add, (set, output, mask) => set.AddForwardWithMask(add, a, b, output, mask));
        }
    }

    [Fact]
    public void Validation_RejectsAWrongMaskLength()
    {
        var p = new Conv2DParams(1, 9, 1, 1, 9, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, -128, -128, -103, Requantization.FromFloat([0.25f]));
        Assert.Throws<ArgumentException>(() => KernelSet.Fast.Conv2DForwardWithMask(p, BoundInput, [1], [], new sbyte[9], new byte[1]));
        Assert.Throws<ArgumentException>(() => KernelSet.Fast.Conv2DForwardWithMask(p, BoundInput, [1], [], new sbyte[9], new byte[3]));
        Assert.Throws<ArgumentException>(() => Add.ForwardFloatWithMask([1], [1], new float[1], 0, 6, new byte[0]));
    }

    private static byte[] Stale(int length) => Enumerable.Repeat((byte)0xA5, length).ToArray();

    /// <summary>
    /// Every kernel set's masked forward (into a stale mask) gives the plain forward's output and a mask that fits it,
    /// and the vectorised sets agree with the reference bit for bit.
    /// </summary>
    private static void AssertMaskedAgree(sbyte[] plain, int min, int max, object context, Action<KernelSet, sbyte[], byte[]> forwardWithMask) =>
        KernelSets.AssertAgree(set =>
        {
            var (output, mask) = (new sbyte[plain.Length], Stale(ClampMask.ByteLength(plain.Length)));
            forwardWithMask(set, output, mask);
            KernelRandom.AssertSame(plain, output, "masked forward");
            AssertMaskMatchesOutput(mask, output, min, max);
            return [output, mask];
        }, context);

    /// <summary>Where the output is strictly inside the range the bit must be 1; padding bits of the last byte are 0.</summary>
    private static void AssertMaskMatchesOutput(byte[] mask, sbyte[] output, int min, int max)
    {
        for (int i = 0; i < output.Length; i++)
        {
            if (output[i] > min && output[i] < max)
            {
                Assert.True(ClampMask.IsInside(mask, i), $"element {i} = {output[i]} is strictly inside [{min}, {max}] but its bit is 0");
            }
        }

        for (int i = output.Length; i < mask.Length * 8; i++)
        {
            Assert.False(ClampMask.IsInside(mask, i), $"padding bit {i} is set");
        }
    }
}
