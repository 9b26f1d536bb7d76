using TinyTrain.Kernels;

namespace TinyTrain.Tests.Kernels;

/// <summary>The fused conv + depthwise conv equals the two kernels in turn, bit for bit, on random shapes and both requantisations.</summary>
public class ConvDepthwiseTests
{
    internal static (Conv2DParams Conv, DepthwiseConv2DParams Depthwise) Shapes(Random random, RequantMode mode)
    {
        int h = random.Next(1, 12), w = random.Next(1, 12), inputC = random.Next(1, 20), channels = random.Next(1, 11);
        int k = random.Next(3) == 0 ? 3 : 1, stride = random.Next(3) == 0 ? 2 : 1, pad = k == 3 ? random.Next(2) : 0;
        int convH = (h + 2 * pad - k) / stride + 1, convW = (w + 2 * pad - k) / stride + 1;
        if (convH < 1 || convW < 1) return Shapes(random, mode);
        int zero = KernelRandom.ZeroPoint(random), middle = KernelRandom.ZeroPoint(random), last = KernelRandom.ZeroPoint(random);
        var (min, max) = KernelRandom.Activation(random, middle);
        var conv = new Conv2DParams(h, w, inputC, convH, convW, channels, k, k, stride, stride, 1, 1, pad, pad, zero, middle, min, max,
            KernelRandom.Requant(random, mode, channels));
        int dk = random.Next(2) == 0 ? 3 : 5, ds = random.Next(2) + 1, dpad = random.Next(dk / 2 + 1), dilation = random.Next(5) == 0 ? 2 : 1;
        int extent = dilation * (dk - 1) + 1;
        int outH = (convH + 2 * dpad - extent) / ds + 1, outW = (convW + 2 * dpad - extent) / ds + 1;
        if (outH < 1 || outW < 1) return Shapes(random, mode);
        var (dmin, dmax) = KernelRandom.Activation(random, last);
        var depthwise = new DepthwiseConv2DParams(convH, convW, channels, outH, outW, 1, dk, dk, ds, ds, dilation, dilation, dpad, dpad, middle, last,
            dmin, dmax, KernelRandom.Requant(random, mode, channels));
        return (conv, depthwise);
    }

    [Fact]
    public void Fused_equals_conv_then_depthwise_on_random_shapes()
    {
        var random = new Random(31);
        for (int i = 0; i < 300; i++)
        {
            var (conv, depthwise) = Shapes(random, i % 2 == 0 ? RequantMode.Float : RequantMode.FixedPoint);
            var input = KernelRandom.Int8(random, conv.InputLength);
            var convFilter = KernelRandom.Int8(random, conv.FilterLength);
            var convBias = random.Next(4) == 0 ? [] : KernelRandom.Bias(random, conv.OutputC);
            var depthwiseFilter = KernelRandom.Int8(random, depthwise.FilterLength);
            var depthwiseBias = KernelRandom.Bias(random, depthwise.OutputC);

            var middle = new sbyte[conv.OutputLength];
            var expected = new sbyte[depthwise.OutputLength];
            KernelSet.Reference.Conv2DForward(conv, input, convFilter, convBias, middle);
            KernelSet.Reference.DepthwiseConv2DForward(depthwise, middle, depthwiseFilter, depthwiseBias, expected);

            var planes = new sbyte[ConvDepthwise.PlanesLength(conv)];
            var reference = new sbyte[expected.Length];
            KernelSet.Reference.ConvDepthwiseForward(conv, depthwise, input, convFilter, convBias, depthwiseFilter, depthwiseBias, planes, reference);
            KernelRandom.AssertSame(expected, reference, $"case {i}: reference, {conv} then {depthwise}");

            var fast = new sbyte[expected.Length];
            KernelSet.Fast.ConvDepthwiseForward(conv, depthwise, input, convFilter, convBias, depthwiseFilter, depthwiseBias, planes, fast);
            KernelRandom.AssertSame(expected, fast, $"case {i}: dispatched, {conv} then {depthwise}");
        }
    }

    [Fact]
    public void A_depthwise_conv_that_does_not_read_the_conv_channel_for_channel_is_rejected()
    {
        var (conv, depthwise) = Shapes(new Random(3), RequantMode.Float);
        var wrong = depthwise with { InputC = depthwise.InputC + 1 };
        var error = Assert.Throws<ArgumentException>(() => KernelSet.Reference.ConvDepthwiseForward(conv, wrong, new sbyte[conv.InputLength], new sbyte[conv.FilterLength], [],
            new sbyte[wrong.FilterLength], [], new sbyte[ConvDepthwise.PlanesLength(conv)], new sbyte[wrong.OutputLength]));
        Assert.Contains("channel for channel", error.Message);
    }
}
