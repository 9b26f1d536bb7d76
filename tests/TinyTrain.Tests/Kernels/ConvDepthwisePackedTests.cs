using System.Runtime.Intrinsics.X86;
using TinyTrain.Kernels;

namespace TinyTrain.Tests.Kernels;

/// <summary><see cref="ConvDepthwise.ForwardPacked"/> equals the two reference kernels in turn, bit for bit.</summary>
public class ConvDepthwisePackedTests
{
    [Fact]
    public void Packed_equals_conv_then_depthwise_on_random_shapes()
    {
        var random = new Random(37);
        int packedCases = 0;
        for (int i = 0; i < 300; i++)
        {
            var (conv, depthwise) = ConvDepthwiseTests.Shapes(random, i % 2 == 0 ? RequantMode.Float : RequantMode.FixedPoint);
            packedCases += AssertPackedMatches(random, conv, depthwise) ? 1 : 0;
        }

        Assert.True(!Avx512BW.IsSupported || packedCases > 100, $"{packedCases} cases took the packed path");
    }

    [Theory]
    [InlineData(128, 128, 3, 16, 3, 2, 1, 3, 1, 1)] // mcunet: first conv + blocks.0.depthwise
    [InlineData(64, 64, 8, 32, 1, 1, 0, 3, 2, 1)] // blocks.1: pointwise expansion + stride-2 depthwise
    [InlineData(32, 32, 16, 48, 1, 1, 0, 7, 2, 3)]
    [InlineData(8, 8, 40, 160, 1, 1, 0, 7, 1, 3)]
    [InlineData(16, 16, 24, 121, 1, 1, 0, 5, 1, 2)] // channels not a multiple of 4: the last group overlaps
    [InlineData(40, 37, 6, 7, 3, 1, 1, 3, 3, 1)] // stride 3, 37 columns: two vectors per row
    public void Packed_model_shapes_match_reference(int h, int w, int inputC, int channels, int k, int stride, int pad, int dk, int ds, int dpad)
    {
        var random = new Random(h * 131 + channels);
        foreach (var mode in new[] { RequantMode.Float, RequantMode.FixedPoint })
        {
            int convH = (h + 2 * pad - k) / stride + 1, convW = (w + 2 * pad - k) / stride + 1;
            int middle = KernelRandom.ZeroPoint(random), last = KernelRandom.ZeroPoint(random);
            var (min, max) = KernelRandom.Activation(random, middle);
            var conv = new Conv2DParams(h, w, inputC, convH, convW, channels, k, k, stride, stride, 1, 1, pad, pad, KernelRandom.ZeroPoint(random), middle,
                min, max, KernelRandom.Requant(random, mode, channels));
            int outH = (convH + 2 * dpad - dk) / ds + 1, outW = (convW + 2 * dpad - dk) / ds + 1;
            var (dmin, dmax) = KernelRandom.Activation(random, last);
            var depthwise = new DepthwiseConv2DParams(convH, convW, channels, outH, outW, 1, dk, dk, ds, ds, 1, 1, dpad, dpad, middle, last, dmin, dmax,
                KernelRandom.Requant(random, mode, random.Next(2) == 0 ? 1 : channels));
            Assert.True(ConvDepthwise.CanPack(conv, depthwise));
            AssertPackedMatches(random, conv, depthwise);
        }
    }

    private static bool AssertPackedMatches(Random random, Conv2DParams conv, DepthwiseConv2DParams depthwise)
    {
        var input = KernelRandom.Int8(random, conv.InputLength);
        var convFilter = KernelRandom.Int8(random, conv.FilterLength);
        var convBias = random.Next(4) == 0 ? [] : KernelRandom.Bias(random, conv.OutputC);
        var depthwiseFilter = KernelRandom.Int8(random, depthwise.FilterLength);
        var depthwiseBias = KernelRandom.Bias(random, depthwise.OutputC);
        if (!Avx512BW.IsSupported || !ConvDepthwise.CanPack(conv, depthwise))
        {
            Assert.Null(ConvDepthwise.Pack(conv, depthwise, convFilter));
            return false;
        }

        var middle = new sbyte[conv.OutputLength];
        var expected = new sbyte[depthwise.OutputLength];
        KernelSet.Reference.Conv2DForward(conv, input, convFilter, convBias, middle);
        KernelSet.Reference.DepthwiseConv2DForward(depthwise, middle, depthwiseFilter, depthwiseBias, expected);
        var packed = ConvDepthwise.PackUnchecked(conv, depthwise, convFilter);
        var planes = new sbyte[ConvDepthwise.PlanesLength(conv)];
        var actual = new sbyte[depthwise.OutputLength];
        ConvDepthwise.ForwardPacked(conv, depthwise, packed, input, convBias, depthwiseFilter, depthwiseBias, planes, actual);
        KernelRandom.AssertSame(expected, actual, $"{conv} {depthwise}");

        long before = GC.GetAllocatedBytesForCurrentThread();
        ConvDepthwise.ForwardPacked(conv, depthwise, packed, input, convBias, depthwiseFilter, depthwiseBias, planes, actual);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        return true;
    }
}
