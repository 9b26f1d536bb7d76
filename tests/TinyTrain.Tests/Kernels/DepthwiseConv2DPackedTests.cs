using System.Runtime.Intrinsics.X86;
using TinyTrain.Kernels;

namespace TinyTrain.Tests.Kernels;

/// <summary><see cref="DepthwiseConv2D.ForwardPacked"/> (channel-periodic rows, AVX-512) against the reference.</summary>
public class DepthwiseConv2DPackedTests
{
    [Theory]
    [Seeds(30)]
    public void Packed_MatchesReferenceBitForBit(int seed)
    {
        var random = new Random(7000 + seed);
        for (int trial = 0; trial < 8; trial++)
        {
            var (p, input, filter, bias) = DepthwiseConv2DTests.RandomCase(random);
            AssertPackedMatches(p, input, filter, bias);
        }
    }

    [Theory]
    [InlineData(48, 48, 8, 3, 1, 1)] // vww: 8 channels, four pixels per vector
    [InlineData(64, 64, 16, 3, 1, 1)]
    [InlineData(32, 32, 48, 3, 1, 1)] // period 96: three weight phases
    [InlineData(16, 16, 120, 3, 2, 1)] // stride 2, 120 channels: blocks at 0, 32, 64 and the overlapping 88
    [InlineData(8, 8, 240, 7, 2, 3)]
    [InlineData(8, 8, 160, 7, 1, 3)] // every output's window crosses the border
    [InlineData(4, 4, 384, 5, 1, 2)]
    [InlineData(9, 11, 3, 3, 1, 1)] // 3 channels: period 96
    [InlineData(7, 5, 37, 5, 1, 0)] // odd channels, no padding
    [InlineData(12, 12, 33, 3, 2, 1)] // stride 2, 33 channels
    public void Packed_Shapes_MatchReference(int height, int width, int channels, int kernel, int stride, int pad)
    {
        var random = new Random(height * 7919 + channels * 31 + kernel);
        foreach (var mode in new[] { RequantMode.Float, RequantMode.FixedPoint })
        {
            foreach (bool perTensor in new[] { false, true })
            {
                int outputH = (height + 2 * pad - kernel) / stride + 1, outputW = (width + 2 * pad - kernel) / stride + 1;
                int zp = KernelRandom.ZeroPoint(random), outputZp = KernelRandom.ZeroPoint(random);
                var (min, max) = KernelRandom.Activation(random, outputZp);
                var p = new DepthwiseConv2DParams(height, width, channels, outputH, outputW, 1, kernel, kernel, stride, stride, 1, 1, pad, pad,
                    zp, outputZp, min, max, KernelRandom.Requant(random, mode, perTensor ? 1 : channels));
                Assert.True(DepthwiseConv2D.CanPack(p), p.ToString());
                AssertPackedMatches(p, KernelRandom.Int8(random, p.InputLength), KernelRandom.Int8(random, p.FilterLength), KernelRandom.Bias(random, channels));
            }
        }
    }

    [Fact]
    public void Pack_DeclinesMultipliersAndNarrowRows()
    {
        var p = new DepthwiseConv2DParams(4, 4, 16, 4, 4, 2, 3, 3, 1, 1, 1, 1, 1, 1, 0, 0, -128, 127, Requantization.FromFloat([1f]));
        Assert.Null(DepthwiseConv2D.Pack(p, new sbyte[p.FilterLength]));
        var narrow = p with { DepthMultiplier = 1, InputW = 1, OutputW = 1, PadLeft = 0, KernelW = 1 };
        Assert.Null(DepthwiseConv2D.Pack(narrow, new sbyte[narrow.FilterLength]));
        var strided = p with { DepthMultiplier = 1, StrideW = 2, OutputW = 2 };
        Assert.Null(DepthwiseConv2D.Pack(strided, new sbyte[strided.FilterLength]));
    }

    [Fact]
    public void Packed_DoesNotAllocate()
    {
        if (!Avx512BW.IsSupported)
        {
            return;
        }

        var random = new Random(4);
        var p = new DepthwiseConv2DParams(16, 16, 48, 16, 16, 1, 3, 3, 1, 1, 1, 1, 1, 1, 5, -3, -128, 127, KernelRandom.Requant(random, RequantMode.Float, 48));
        var packed = DepthwiseConv2D.PackUnchecked(p, KernelRandom.Int8(random, p.FilterLength));
        var input = KernelRandom.Int8(random, p.InputLength);
        var output = new sbyte[p.OutputLength];
        int[] bias = KernelRandom.Bias(new Random(1), 48);
        DepthwiseConv2D.ForwardPacked(p, packed, input, bias, output);
        long before = GC.GetAllocatedBytesForCurrentThread();
        DepthwiseConv2D.ForwardPacked(p, packed, input, bias, output);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static void AssertPackedMatches(DepthwiseConv2DParams p, sbyte[] input, sbyte[] filter, int[] bias)
    {
        if (!DepthwiseConv2D.CanPack(p) || !Avx512BW.IsSupported)
        {
            if (!Avx512BW.IsSupported) Assert.Null(DepthwiseConv2D.Pack(p, filter));
            return;
        }

        var expected = new sbyte[p.OutputLength];
        KernelSet.Reference.DepthwiseConv2DForward(p, input, filter, bias, expected);
        var actual = new sbyte[p.OutputLength];
        DepthwiseConv2D.ForwardPacked(p, DepthwiseConv2D.PackUnchecked(p, filter), input, bias, actual);
        KernelRandom.AssertSame(expected, actual, $"{p} bias {bias.Length}");
    }
}
