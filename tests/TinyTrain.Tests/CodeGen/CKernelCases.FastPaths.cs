using TinyTrain.Kernels;
using TinyTrain.Tests.Kernels;
using static TinyTrain.Tests.CodeGen.CKernelCase;

namespace TinyTrain.Tests.CodeGen;

/// <summary>
/// Cases chosen, not drawn, so that every Cortex-M fast path of the C runtime runs at least once: only the QEMU runs take
/// those paths, and each takes a narrow set of shapes (float requantisation, four output channels at once, an even or odd
/// output zero point, a word count even or odd, with or without the mask). Random values within each shape.
/// </summary>
internal static partial class CKernelCases
{
    /// <summary>
    /// 1x1 convs over 8, 12, 16 and 40 input channels (words even and odd), even and odd output zero points, with and
    /// without the mask, four and six output channels; then the same convs fused with depthwise convs of every kernel the
    /// plane paths unroll (3, 5, 7 at strides 1 and 2), and a first layer's 3x3 stride-2 conv of three input channels.
    /// </summary>
    public static IEnumerable<CKernelCase> FastPaths(int seed)
    {
        var random = new Random(seed);
        foreach (int inputC in new[] { 8, 12, 16, 40 })
        {
            foreach (int outputZero in new[] { -128, -3 })
            {
                foreach (bool masked in new[] { false, true })
                {
                    foreach (int outputC in new[] { 4, 6 })
                    {
                        int h = random.Next(2, 10), w = random.Next(2, 10);
                        var (min, max) = KernelRandom.Activation(random, outputZero);
                        var c = new Conv2DParams(h, w, inputC, h, w, outputC, 1, 1, 1, 1, 1, 1, 0, 0, KernelRandom.ZeroPoint(random), outputZero,
                            min, max, KernelRandom.Requant(random, RequantMode.Float, outputC));
                        yield return ConvCase(random, c, masked);
                    }
                }
            }
        }

        foreach (int inputC in new[] { 8, 12, 16 })
        {
            foreach (int outputZero in new[] { -128, -3 })
            {
                foreach (int kernel in new[] { 3, 5, 7 })
                {
                    foreach (int stride in new[] { 1, 2 })
                    {
                        int h = random.Next(kernel + 4, 20), w = random.Next(kernel + 4, 20);
                        var (min, max) = KernelRandom.Activation(random, outputZero);
                        var c = new Conv2DParams(h, w, inputC, h, w, 8, 1, 1, 1, 1, 1, 1, 0, 0, KernelRandom.ZeroPoint(random), outputZero,
                            min, max, KernelRandom.Requant(random, RequantMode.Float, 8));
                        yield return ConvDepthwiseCase(random, c, kernel, stride, outputZero);
                    }
                }
            }
        }

        foreach (int outputZero in new[] { -128, 5 })
        {
            int size = random.Next(12, 30);
            var (min, max) = KernelRandom.Activation(random, outputZero);
            int output = OutputExtent(size, 1, 1, 3, 2);
            var c = new Conv2DParams(size, size, 3, output, output, 8, 3, 3, 2, 2, 1, 1, 1, 1, KernelRandom.ZeroPoint(random), outputZero,
                min, max, KernelRandom.Requant(random, RequantMode.Float, 8));
            yield return ConvDepthwiseCase(random, c, 3, 1, -128);
        }
    }

    private static CKernelCase ConvCase(Random random, Conv2DParams c, bool masked)
    {
        var input = KernelRandom.Int8(random, c.InputLength);
        var filter = KernelRandom.Int8(random, c.FilterLength);
        var bias = KernelRandom.Bias(random, c.OutputC);
        var output = Poison<sbyte>(c.OutputLength);
        var expected = (sbyte[])output.Clone();
        byte[][] inputs = [Bytes(input), Bytes(filter), Bytes(bias), .. RequantInputs(c.Requant)];
        if (!masked)
        {
            KernelSet.Reference.Conv2DForward(c, input, filter, bias, expected);
            return new(CKernel.Conv2DForward, Describe(c), Ints(c), [], inputs, [Bytes(output)], [Bytes(expected)]);
        }

        var mask = Poison<byte>(ClampMask.ByteLength(c.OutputLength));
        var expectedMask = (byte[])mask.Clone();
        KernelSet.Reference.Conv2DForwardWithMask(c, input, filter, bias, expected, expectedMask);
        return new(CKernel.Conv2DForwardWithMask, Describe(c), Ints(c), [], inputs, [Bytes(output), mask], [Bytes(expected), expectedMask]);
    }

    /// <summary>The conv c fused with a depthwise conv of the given kernel and stride (padding kernel / 2 each side).</summary>
    private static CKernelCase ConvDepthwiseCase(Random random, Conv2DParams c, int kernel, int stride, int outputZero)
    {
        int pad = kernel / 2;
        int outputH = OutputExtent(c.OutputH, pad, pad, kernel, stride), outputW = OutputExtent(c.OutputW, pad, pad, kernel, stride);
        var (min, max) = KernelRandom.Activation(random, outputZero);
        var d = new DepthwiseConv2DParams(c.OutputH, c.OutputW, c.OutputC, outputH, outputW, 1, kernel, kernel, stride, stride, 1, 1, pad, pad,
            c.OutputZeroPoint, outputZero, min, max, KernelRandom.Requant(random, RequantMode.Float, c.OutputC));
        return FusedCase(random, c, d);
    }

    /// <summary>The fused conv + depthwise: the same bytes as the conv's reference kernel and then the depthwise conv's.</summary>
    private static CKernelCase FusedCase(Random random, Conv2DParams c, DepthwiseConv2DParams d)
    {
        var input = KernelRandom.Int8(random, c.InputLength);
        var convFilter = KernelRandom.Int8(random, c.FilterLength);
        var convBias = KernelRandom.Bias(random, c.OutputC);
        var depthwiseFilter = KernelRandom.Int8(random, d.FilterLength);
        var depthwiseBias = KernelRandom.Bias(random, d.OutputC);
        var middle = new sbyte[c.OutputLength];
        KernelSet.Reference.Conv2DForward(c, input, convFilter, convBias, middle);
        var output = Poison<sbyte>(d.OutputLength);
        var expected = (sbyte[])output.Clone();
        KernelSet.Reference.DepthwiseConv2DForward(d, middle, depthwiseFilter, depthwiseBias, expected);
        byte[][] inputs =
        [
            Bytes(input), Bytes(convFilter), Bytes(convBias), .. RequantInputs(c.Requant),
            Bytes(depthwiseFilter), Bytes(depthwiseBias), .. RequantInputs(d.Requant), Bytes(Poison<sbyte>(ConvDepthwise.PlanesLength(c))),
        ];
        return new(CKernel.ConvDepthwiseForward, $"{Describe(c)} then {Describe(d)}", [.. Ints(c), .. Ints(d)], [], inputs, [Bytes(output)],
            [Bytes(expected)]);
    }
}
