using TinyTrain.Kernels;

namespace TinyTrain.Tests.Kernels;

/// <summary><see cref="Requant.AccumulatorGrad"/>, <see cref="Bias.Grad"/> and <see cref="Elementwise.AddInPlace"/>.</summary>
public class RequantBackwardTests
{
    [Fact]
    public void AccumulatorGrad_MasksAndScalesPerChannel_HandComputed()
    {
        // 2 pixels x 3 channels, scales 1, 0.5, 0.25; bit 4 (pixel 1, channel 1) is 0.
        var accGrad = new float[6];
        KernelSet.Reference.AccumulatorGrad([1, 2, 4, 8, 16, 32], [0b10_1111], [1f, 0.5f, 0.25f], 3, accGrad);
        Assert.Equal(new float[] { 1, 1, 1, 8, 0, 8 }, accGrad);
        KernelSet.Reference.AccumulatorGrad([1, 2, 4, 8, 16, 32], [0b11_1110], [0.5f], 3, accGrad); // per-tensor
        Assert.Equal(new float[] { 0, 1, 2, 4, 8, 16 }, accGrad);
    }

    [Fact]
    public void AccumulatorGrad_Vectorized_MatchesReference_ForEveryLengthUpTo257_InPlaceToo()
    {
        var random = new Random(13);
        for (int length = 0; length <= 257; length++)
        {
            int[] divisors = Enumerable.Range(1, Math.Max(length, 1)).Where(c => length % c == 0).ToArray();
            int channels = divisors[random.Next(divisors.Length)];
            var scale = GradientCheck.Floats(random, random.Next(3) == 0 ? 1 : channels);
            var gradient = GradientCheck.SparseGradient(random, length);
            var mask = new byte[ClampMask.ByteLength(length)];
            random.NextBytes(mask);
            if (mask.Length > 0 && length % 8 != 0)
            {
                mask[^1] &= (byte)((1 << (length % 8)) - 1);
            }

            KernelSets.AssertAgree(set =>
            {
                var accGrad = new float[length];
                set.AccumulatorGrad(gradient, mask, scale, channels, accGrad);
                var inPlace = (float[])gradient.Clone();
                set.AccumulatorGrad(inPlace, mask, scale, channels, inPlace);
                KernelSets.AssertSameBits(accGrad, inPlace, $"in place, length {length}");
                return [accGrad];
            }, $"length {length} channels {channels} scales {scale.Length}");
        }
    }

    [Fact]
    public void AccumulatorGrad_RejectsBadShapes()
    {
        Assert.Throws<ArgumentException>(() => KernelSet.Fast.AccumulatorGrad(new float[6], new byte[1], [1f, 2f], 3, new float[6]));
        Assert.Throws<ArgumentException>(() => KernelSet.Fast.AccumulatorGrad(new float[7], new byte[1], [1f], 3, new float[7]));
        Assert.Throws<ArgumentException>(() => KernelSet.Fast.AccumulatorGrad(new float[9], new byte[1], [1f], 3, new float[9]));
        Assert.Throws<ArgumentException>(() => KernelSet.Fast.AccumulatorGrad(new float[6], new byte[1], [1f], 3, new float[5]));
    }

    [Fact]
    public void BiasGrad_SumsOverPixels_VectorizedMatchesReference()
    {
        var biasGrad = new float[] { 99, 99 };
        KernelSet.Reference.BiasGrad([1, 2, 3, 4, 5, 6], 2, biasGrad);
        Assert.Equal(new float[] { 9, 12 }, biasGrad);

        var random = new Random(14);
        foreach (int channels in new[] { 1, 3, 7, 16, 17, 33, 67 })
        {
            var accGrad = GradientCheck.SparseGradient(random, channels * random.Next(1, 30));
            KernelSets.AssertAgree(set =>
            {
                var biasGrad = new float[channels];
                set.BiasGrad(accGrad, channels, biasGrad);
                return [biasGrad];
            }, channels);
        }

        Assert.Throws<ArgumentException>(() => KernelSet.Fast.BiasGrad(new float[5], 2, new float[2]));
        Assert.Throws<ArgumentException>(() => KernelSet.Fast.BiasGrad(new float[6], 2, new float[3]));
    }

    [Fact]
    public void AddInPlace_VectorizedMatchesReference_ForEveryLengthUpTo257()
    {
        var random = new Random(15);
        for (int length = 0; length <= 257; length++)
        {
            var target = GradientCheck.Floats(random, length, 100f);
            var source = GradientCheck.Floats(random, length, 0.01f);
            KernelSets.AssertAgree(set =>
            {
                var sum = (float[])target.Clone();
                set.AddInPlace(sum, source);
                return [sum];
            }, length);
        }

        Assert.Throws<ArgumentException>(() => KernelSet.Fast.AddInPlace(new float[3], new float[4]));
    }
}
