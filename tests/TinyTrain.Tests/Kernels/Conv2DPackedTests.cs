using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TinyTrain.Kernels;

namespace TinyTrain.Tests.Kernels;

/// <summary><see cref="Conv2D.ForwardPacked"/> (VPDPBUSD and its widened emulation) against the reference.</summary>
public class Conv2DPackedTests
{
    private static readonly bool[] DotProducts = AvxVnni.IsSupported ? [true, false] : [false];

    [Theory]
    [Seeds(30)]
    public void Packed_MatchesReferenceBitForBit(int seed)
    {
        var random = new Random(5000 + seed);
        for (int trial = 0; trial < 6; trial++)
        {
            var (p, input, filter, bias) = Conv2DTests.RandomCase(random);
            AssertPackedMatches(p, input, filter, bias);
        }
    }

    [Theory]
    [InlineData(128, 128, 3, 16, 3, 2, 1)] // mcunet's first conv: 27-byte windows, stride 2, padded
    [InlineData(96, 96, 3, 8, 3, 2, 0)] // vww's first conv, padding only at the bottom/right
    [InlineData(48, 48, 8, 16, 1, 1, 0)] // pointwise, 2 groups, 2 blocks
    [InlineData(9, 7, 13, 5, 1, 1, 0)] // pointwise, window not a multiple of 4, fewer than 8 channels
    [InlineData(5, 5, 24, 17, 1, 1, 0)] // 17 channels: blocks at 0, 8 and the overlapping 9
    [InlineData(4, 4, 96, 576, 1, 1, 0)] // wide expansion
    [InlineData(7, 7, 5, 9, 5, 1, 2)] // 5x5 window, odd channels
    [InlineData(9, 9, 4, 8, 7, 2, 3)] // 7x7 stride 2
    [InlineData(6, 6, 16, 8, 1, 2, 0)] // strided pointwise: gathered, not contiguous
    public void Packed_Shapes_MatchReference(int height, int width, int inputC, int outputC, int kernel, int stride, int pad)
    {
        var random = new Random(height * 7919 + inputC * 31 + outputC);
        foreach (var mode in new[] { RequantMode.Float, RequantMode.FixedPoint })
        {
            foreach (bool perTensor in new[] { false, true })
            {
                int outputH = (height + 2 * pad - kernel) / stride + 1, outputW = (width + 2 * pad - kernel) / stride + 1;
                int zp = KernelRandom.ZeroPoint(random), outputZp = KernelRandom.ZeroPoint(random);
                var (min, max) = KernelRandom.Activation(random, outputZp);
                var p = new Conv2DParams(height, width, inputC, outputH, outputW, outputC, kernel, kernel, stride, stride, 1, 1, pad, pad,
                    zp, outputZp, min, max, KernelRandom.Requant(random, mode, perTensor ? 1 : outputC));
                AssertPackedMatches(p, KernelRandom.Int8(random, p.InputLength), KernelRandom.Int8(random, p.FilterLength), KernelRandom.Bias(random, outputC));
            }
        }
    }

    [Fact]
    public void Packed_ExtremeValuesAndSaturatedBias_MatchReference()
    {
        // All -128 weights and inputs at both ends with zero point 127: the largest products VPDPBUSD sees.
        foreach (sbyte value in new sbyte[] { -128, 127 })
        {
            var p = new Conv2DParams(3, 3, 64, 3, 3, 8, 3, 3, 1, 1, 1, 1, 1, 1, 127, 0, -128, 127, Requantization.FromFloat([1e-6f]));
            var input = Enumerable.Repeat(value, p.InputLength).ToArray();
            var filter = Enumerable.Repeat((sbyte)-128, p.FilterLength).ToArray();
            AssertPackedMatches(p, input, filter, Enumerable.Repeat(int.MaxValue, 8).ToArray());
            AssertPackedMatches(p, input, filter, Enumerable.Repeat(int.MinValue, 8).ToArray());
        }
    }

    [Fact]
    public void Pack_DeclinesWindowsTooLongForThePatch()
    {
        var p = new Conv2DParams(3, 3, 600, 1, 1, 8, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, -128, 127, Requantization.FromFloat([1f]));
        Assert.Null(Conv2D.Pack(p, new sbyte[p.FilterLength]));
    }

    [Fact]
    public void Packed_RejectsAFilterPackedForAnotherConv()
    {
        var p = new Conv2DParams(4, 4, 8, 4, 4, 8, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, -128, 127, Requantization.FromFloat([1f]));
        var packed = Conv2D.PackUnchecked(p, new sbyte[p.FilterLength]);
        var other = p with { InputZeroPoint = 3 };
        Assert.Throws<ArgumentException>(() => Conv2D.ForwardPacked(other, packed, new sbyte[p.InputLength], [], new sbyte[p.OutputLength]));
    }

    [Fact]
    public void Packed_DoesNotAllocate()
    {
        var random = new Random(3);
        var p = new Conv2DParams(16, 16, 24, 16, 16, 40, 3, 3, 1, 1, 1, 1, 1, 1, 5, -3, -128, 127, KernelRandom.Requant(random, RequantMode.Float, 40));
        var packed = Conv2D.PackUnchecked(p, KernelRandom.Int8(random, p.FilterLength));
        var input = KernelRandom.Int8(random, p.InputLength);
        var output = new sbyte[p.OutputLength];
        Conv2D.ForwardPacked(p, packed, input, [], output);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Conv2D.ForwardPacked(p, packed, input, [], output);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static void AssertPackedMatches(Conv2DParams p, sbyte[] input, sbyte[] filter, int[] bias)
    {
        var expected = new sbyte[p.OutputLength];
        KernelSet.Reference.Conv2DForward(p, input, filter, bias, expected);
        if (!Conv2D.CanPack(p) || !Vector256.IsHardwareAccelerated)
        {
            // Without hardware vectors (the no-SIMD test pass) the executor never packs: the software Vector256 path of
            // ForwardPacked computes wrong sums there (a known bug, see issue 8's note), and is unreachable.
            Assert.Null(Conv2D.Pack(p, filter));
            return;
        }

        var packed = Conv2D.PackUnchecked(p, filter);
        foreach (bool vnni in DotProducts)
        {
            var actual = new sbyte[p.OutputLength];
            Conv2D.ForwardPacked(p, packed, input, bias, actual, vnni);
            KernelRandom.AssertSame(expected, actual, $"vnni {vnni} {p} bias {bias.Length}");
        }
    }
}
