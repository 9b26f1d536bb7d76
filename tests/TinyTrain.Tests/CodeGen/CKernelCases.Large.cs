using TinyTrain.Kernels;
using TinyTrain.Tests.Kernels;
using static TinyTrain.Tests.CodeGen.CKernelCase;

namespace TinyTrain.Tests.CodeGen;

/// <summary>
/// Shapes of the size of real layers (inputs up to 40x40), for the C runtime's fast paths that the small random shapes
/// do not reach: a depthwise plane too big to gather with its padding on the stack (its interior and border are computed
/// apart, and a word read at the end of a plane must not run past it), 1x1 convs over many pixels, conv windows gathered
/// into patches, the fused ConvDepthwise, and the gathered input gradients (1x1 convs over eight pixels and more than one
/// pass of output channels; depthwise convs over eight channels and more).
/// </summary>
internal static partial class CKernelCases
{
    private static (int Input, int Kernel, int Stride, int Pad, int Output) LargeAxis(Random random, int kernel, int stride)
    {
        while (true)
        {
            int input = random.Next(12, 41);
            int padBefore = kernel == 1 ? 0 : random.Next(0, kernel);
            int padAfter = kernel == 1 ? 0 : random.Next(0, kernel);
            int output = OutputExtent(input, padBefore, padAfter, kernel, stride);
            if (output >= 1)
            {
                return (input, kernel, stride, padBefore, output);
            }
        }
    }

    private static Conv2DParams LargeConv(Random random, RequantMode mode)
    {
        int kernel = Pick(random, 1, 1, 3, 5);
        int stride = kernel == 1 ? 1 : Pick(random, 1, 2);
        var y = LargeAxis(random, kernel, stride);
        var x = LargeAxis(random, kernel, stride);
        int inputC = Pick(random, 3, 4, 8, 13, 16);
        int outputC = random.Next(1, 10);
        int outputZero = KernelRandom.ZeroPoint(random);
        var (min, max) = KernelRandom.Activation(random, outputZero);
        return new Conv2DParams(y.Input, x.Input, inputC, y.Output, x.Output, outputC, kernel, kernel, stride, stride, 1, 1, y.Pad, x.Pad,
            KernelRandom.ZeroPoint(random), outputZero, min, max, KernelRandom.Requant(random, mode, outputC));
    }

    /// <summary>A depthwise conv over an input of the given size (multiplier 1 for the fused kernel).</summary>
    private static DepthwiseConv2DParams LargeDepthwise(Random random, RequantMode mode, int inputH, int inputW, int channels, int inputZero, int multiplier)
    {
        while (true)
        {
            int kernel = Pick(random, 3, 3, 5, 7);
            int stride = Pick(random, 1, 2);
            int top = random.Next(0, kernel), left = random.Next(0, kernel), bottom = random.Next(0, kernel), right = random.Next(0, kernel);
            int outputH = OutputExtent(inputH, top, bottom, kernel, stride), outputW = OutputExtent(inputW, left, right, kernel, stride);
            if (outputH < 1 || outputW < 1)
            {
                continue;
            }

            int outputZero = KernelRandom.ZeroPoint(random);
            var (min, max) = KernelRandom.Activation(random, outputZero);
            return new DepthwiseConv2DParams(inputH, inputW, channels, outputH, outputW, multiplier, kernel, kernel, stride, stride, 1, 1, top, left,
                inputZero, outputZero, min, max, KernelRandom.Requant(random, mode, channels * multiplier));
        }
    }

    /// <summary>int8 conv and depthwise forwards of layer-sized shapes, with and without the mask, in both modes.</summary>
    public static IEnumerable<CKernelCase> LargeConvolutions(int seed, int count)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            var mode = i % 2 == 0 ? RequantMode.Float : RequantMode.FixedPoint;
            bool masked = i % 4 >= 2;
            yield return ConvCase(random, LargeConv(random, mode), masked);

            var d = LargeDepthwise(random, mode, random.Next(12, 41), random.Next(12, 41), Pick(random, 1, 3, 8), KernelRandom.ZeroPoint(random), Pick(random, 1, 1, 2));
            var input = KernelRandom.Int8(random, d.InputLength);
            var filter = KernelRandom.Int8(random, d.FilterLength);
            var bias = KernelRandom.Bias(random, d.OutputC);
            var output = Poison<sbyte>(d.OutputLength);
            var expected = (sbyte[])output.Clone();
            byte[][] inputs = [Bytes(input), Bytes(filter), Bytes(bias), .. RequantInputs(d.Requant)];
            var mask = Poison<byte>(ClampMask.ByteLength(d.OutputLength));
            var expectedMask = (byte[])mask.Clone();
            if (masked)
            {
                KernelSet.Reference.DepthwiseConv2DForwardWithMask(d, input, filter, bias, expected, expectedMask);
                yield return new(CKernel.DepthwiseConv2DForwardWithMask, Describe(d), Ints(d), [], inputs, [Bytes(output), mask], [Bytes(expected), expectedMask]);
            }
            else
            {
                KernelSet.Reference.DepthwiseConv2DForward(d, input, filter, bias, expected);
                yield return new(CKernel.DepthwiseConv2DForward, Describe(d), Ints(d), [], inputs, [Bytes(output)], [Bytes(expected)]);
            }
        }
    }

    /// <summary>
    /// 1x1 convs over more input channels than the C runtime spreads at once (a filter row in spans, over blocks of
    /// pixels): the late layers of the paper's models, over few pixels, with and without the mask, in both modes.
    /// </summary>
    public static IEnumerable<CKernelCase> WideConvolutions(int seed, int count)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            var mode = i % 2 == 0 ? RequantMode.Float : RequantMode.FixedPoint;
            bool masked = i % 4 >= 2;
            int h = random.Next(1, 8), w = random.Next(1, 10), inputC = Pick(random, 324, 336, 400, 644), outputC = random.Next(1, 10);
            int outputZero = KernelRandom.ZeroPoint(random);
            var (min, max) = KernelRandom.Activation(random, outputZero);
            var c = new Conv2DParams(h, w, inputC, h, w, outputC, 1, 1, 1, 1, 1, 1, 0, 0, KernelRandom.ZeroPoint(random), outputZero, min, max,
                KernelRandom.Requant(random, mode, outputC));
            yield return ConvCase(random, c, masked);
        }
    }

    /// <summary>The fused conv + depthwise: the same bytes as the conv's reference kernel and then the depthwise conv's.</summary>
    public static IEnumerable<CKernelCase> ConvDepthwiseForward(int seed, int count)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            var mode = i % 2 == 0 ? RequantMode.Float : RequantMode.FixedPoint;
            var c = LargeConv(random, mode);
            var d = LargeDepthwise(random, mode, c.OutputH, c.OutputW, c.OutputC, c.OutputZeroPoint, 1);
            yield return FusedCase(random, c, d);
        }
    }

    /// <summary>
    /// Input gradients of 1x1 convs (1 to 81 pixels, up to 80 output channels; every other case with whole output channels
    /// of zero gradients) and of depthwise convs.
    /// </summary>
    public static IEnumerable<CKernelCase> LargeInputGrads(int seed, int count)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            int h = random.Next(1, 10), w = random.Next(1, 10), outputC = random.Next(1, 81);
            var c = new Conv2DParams(h, w, Pick(random, 1, 2, 3, 8, 13, 24, 40), h, w, outputC, 1, 1, 1, 1, 1, 1, 0, 0,
                KernelRandom.ZeroPoint(random), 0, -128, 127, KernelRandom.Requant(random, RequantMode.Float, outputC));
            var accGrad = Floats(random, c.OutputLength);
            if (i % 2 == 1)
            {
                // Whole output channels of zero gradients (+0 or -0), as behind a ReLU's mask.
                for (int o = 0; o < outputC; o++)
                {
                    if (random.Next(2) == 0)
                    {
                        for (int pixel = 0; pixel < h * w; pixel++)
                        {
                            accGrad[pixel * outputC + o] = random.Next(2) == 0 ? 0f : -0f;
                        }
                    }
                }
            }

            var filter = KernelRandom.Int8(random, c.FilterLength);
            var inputGrad = Poison<float>(c.InputLength);
            var expected = (float[])inputGrad.Clone();
            KernelSet.Reference.Conv2DInputGrad(c, accGrad, filter, expected);
            yield return new(CKernel.Conv2DInputGrad, Describe(c), Ints(c), [], [Bytes(accGrad), Bytes(filter)], [Bytes(inputGrad)], [Bytes(expected)]);

            var d = LargeDepthwise(random, RequantMode.Float, random.Next(4, 21), random.Next(4, 21), Pick(random, 1, 3, 8, 16, 19),
                KernelRandom.ZeroPoint(random), Pick(random, 1, 1, 1, 2));
            accGrad = Floats(random, d.OutputLength);
            filter = KernelRandom.Int8(random, d.FilterLength);
            inputGrad = Poison<float>(d.InputLength);
            expected = (float[])inputGrad.Clone();
            KernelSet.Reference.DepthwiseConv2DInputGrad(d, accGrad, filter, expected);
            yield return new(CKernel.DepthwiseConv2DInputGrad, Describe(d), Ints(d), [], [Bytes(accGrad), Bytes(filter)], [Bytes(inputGrad)], [Bytes(expected)]);
        }
    }
}
