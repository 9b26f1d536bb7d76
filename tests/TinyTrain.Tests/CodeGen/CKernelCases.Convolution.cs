using TinyTrain.Kernels;
using TinyTrain.Tests.Kernels;
using static TinyTrain.Tests.CodeGen.CKernelCase;

namespace TinyTrain.Tests.CodeGen;

internal static partial class CKernelCases
{
    /// <summary>Window geometry shared by the conv and the depthwise conv: (input, kernel, stride, dilation, pad before, output) per axis.</summary>
    private static (int Input, int Kernel, int Stride, int Dilation, int Pad, int Output) Axis(Random random, int kernel)
    {
        while (true)
        {
            int input = random.Next(1, 10);
            int stride = Pick(random, 1, 1, 2, 2, 3);
            int dilation = random.Next(5) == 0 ? 2 : 1;
            int extent = dilation * (kernel - 1) + 1;
            int padBefore = random.Next(0, extent);
            int padAfter = random.Next(0, extent);
            int output = OutputExtent(input, padBefore, padAfter, extent, stride);
            if (output >= 1)
            {
                return (input, kernel, stride, dilation, padBefore, output);
            }
        }
    }

    private static Conv2DParams ConvParams(Random random, RequantMode mode)
    {
        int kernel = Pick(random, 1, 1, 3, 3, 5, 7);
        var y = Axis(random, kernel);
        var x = Axis(random, random.Next(4) == 0 ? Pick(random, 1, 3, 5) : kernel);
        int inputC = Pick(random, 1, 2, 3, 5, 8, 16, 17);
        int outputC = Pick(random, 1, 3, 4, 7, 16, 19);
        int inputZero = KernelRandom.ZeroPoint(random);
        int outputZero = KernelRandom.ZeroPoint(random);
        var (min, max) = KernelRandom.Activation(random, outputZero);
        return new Conv2DParams(y.Input, x.Input, inputC, y.Output, x.Output, outputC, y.Kernel, x.Kernel, y.Stride, x.Stride,
            y.Dilation, x.Dilation, y.Pad, x.Pad, inputZero, outputZero, min, max, KernelRandom.Requant(random, mode, outputC));
    }

    private static int[] Ints(Conv2DParams p) =>
    [
        p.InputH, p.InputW, p.InputC, p.OutputH, p.OutputW, p.OutputC, p.KernelH, p.KernelW, p.StrideH, p.StrideW,
        p.DilationH, p.DilationW, p.PadTop, p.PadLeft, p.InputZeroPoint, p.OutputZeroPoint, p.ActMin, p.ActMax, (int)p.Requant.Mode,
    ];

    private static string Describe(Conv2DParams p) =>
        $"in {p.InputH}x{p.InputW}x{p.InputC} out {p.OutputH}x{p.OutputW}x{p.OutputC} k {p.KernelH}x{p.KernelW} s {p.StrideH},{p.StrideW} " +
        $"d {p.DilationH},{p.DilationW} pad {p.PadTop},{p.PadLeft} zp {p.InputZeroPoint}->{p.OutputZeroPoint} act [{p.ActMin},{p.ActMax}] {Describe(p.Requant.Mode, p.Requant)}";

    /// <summary>
    /// A forward case, with the clamp mask (the masked kernel, the mask its output 1) or without: the outputs start
    /// poisoned, and <paramref name="reference"/> writes the expected ones (the mask it gets is empty when there is none).
    /// </summary>
    private static CKernelCase Forward<T>(bool withMask, CKernel plain, CKernel masked, string description, int[] ints, float[] floats,
        byte[][] inputs, int length, Action<T[], byte[]> reference)
        where T : unmanaged
    {
        var output = Poison<T>(length);
        var expected = (T[])output.Clone();
        if (!withMask)
        {
            reference(expected, []);
            return new(plain, description, ints, floats, inputs, [Bytes(output)], [Bytes(expected)]);
        }

        var mask = Poison<byte>(ClampMask.ByteLength(length));
        var expectedMask = (byte[])mask.Clone();
        reference(expected, expectedMask);
        return new(masked, description, ints, floats, inputs, [Bytes(output), mask], [Bytes(expected), expectedMask]);
    }

    /// <summary>A case of a kernel that writes one fp32 tensor of <paramref name="length"/> elements, which <paramref name="reference"/> fills.</summary>
    private static CKernelCase Gradient(CKernel kernel, string description, int[] ints, byte[][] inputs, int length, Action<float[]> reference)
    {
        var output = Poison<float>(length);
        var expected = (float[])output.Clone();
        reference(expected);
        return new(kernel, description, ints, [], inputs, [Bytes(output)], [Bytes(expected)]);
    }

    /// <summary>
    /// The input gradient, the filter gradient and a window of it (int8 or fp32 operands: the kernels of the first or the
    /// second id of each pair).
    /// </summary>
    private static IEnumerable<CKernelCase> Gradients<T>(Random random, bool integer, string description, int[] ints, int inputLength,
        int outputs, int perOutput, byte[] accGrad, T[] filter, T[] input, int[] channels, Action<float[]> inputGrad, Action<float[]> filterGrad,
        Action<int, float[]> window, CKernel[] ids)
        where T : unmanaged
    {
        int k = integer ? 0 : 1;
        string selection = $"{description} channels [{string.Join(',', channels)}]";
        yield return Gradient(ids[k], description, ints, [accGrad, Bytes(filter)], inputLength, inputGrad);
        yield return Gradient(ids[2 + k], selection, ints, [Bytes(input), accGrad, Bytes(channels)], outputs * perOutput, filterGrad);
        int first = random.Next(outputs), count = random.Next(1, outputs - first + 1);
        yield return Gradient(ids[4 + k], $"{selection} outputs {first}+{count}", [.. ints, first, count], [Bytes(input), accGrad, Bytes(channels)],
            count * perOutput, expected => window(first, expected));
    }

    /// <summary>int8 forwards, with and without the clamp mask, in both requantisation modes.</summary>
    public static IEnumerable<CKernelCase> Conv2DForward(int seed, int count)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            var p = ConvParams(random, i % 2 == 0 ? RequantMode.Float : RequantMode.FixedPoint);
            var input = KernelRandom.Int8(random, p.InputLength);
            var filter = KernelRandom.Int8(random, p.FilterLength);
            var bias = KernelRandom.Bias(random, p.OutputC);
            yield return Forward<sbyte>(i % 4 >= 2, CKernel.Conv2DForward, CKernel.Conv2DForwardWithMask, Describe(p), Ints(p), [],
                [Bytes(input), Bytes(filter), Bytes(bias), .. RequantInputs(p.Requant)], p.OutputLength,
                (output, mask) => Conv2D.Forward(p, input, filter, bias, output, mask, VectorWidth.Scalar));
        }
    }

    /// <summary>Input and filter gradients, int8 and fp32 operands.</summary>
    public static IEnumerable<CKernelCase> Conv2DBackward(int seed, int count)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            var p = ConvParams(random, RequantMode.Float);
            var accGrad = Floats(random, p.OutputLength);
            var channels = Channels(random, p.InputC);
            int perOutput = p.KernelH * p.KernelW * channels.Length;
            CKernel[] ids =
            [
                CKernel.Conv2DInputGrad, CKernel.Conv2DInputGradFloat, CKernel.Conv2DFilterGrad, CKernel.Conv2DFilterGradFloat,
                CKernel.Conv2DFilterGradWindow, CKernel.Conv2DFilterGradWindowFloat,
            ];
            var cases = i % 2 == 0
                ? Conv2DGradients(random, true, p, accGrad, channels, perOutput, ids, KernelRandom.Int8(random, p.FilterLength), KernelRandom.Int8(random, p.InputLength))
                : Conv2DGradients(random, false, p, accGrad, channels, perOutput, ids, Floats(random, p.FilterLength), Floats(random, p.InputLength, 4f));
            foreach (var c in cases)
            {
                yield return c;
            }
        }
    }

    private static IEnumerable<CKernelCase> Conv2DGradients<T>(
        Random random, bool integer, Conv2DParams p, float[] accGrad, int[] channels, int perOutput, CKernel[] ids, T[] filter, T[] input)
        where T : unmanaged, System.Numerics.INumberBase<T> =>
        Gradients(random, integer, Describe(p), Ints(p), p.InputLength, p.OutputC, perOutput, Bytes(accGrad), filter, input, channels,
            expected => Conv2D.InputGrad<T>(p, accGrad, filter, expected, VectorWidth.Scalar),
            expected => Conv2D.FilterGrad<T>(p, input, accGrad, channels, null, expected, VectorWidth.Scalar),
            (first, expected) => Conv2D.FilterGrad<T>(p, input, accGrad, channels, first, expected, VectorWidth.Scalar), ids);

    /// <summary>fp32 forwards, with and without bias, clamp and mask.</summary>
    public static IEnumerable<CKernelCase> Conv2DForwardFloat(int seed, int count)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            var p = ConvParams(random, RequantMode.Float);
            var input = Floats(random, p.InputLength, 3f);
            var filter = Floats(random, p.FilterLength);
            var bias = random.Next(3) == 0 ? [] : Floats(random, p.OutputC);
            var (min, max) = FloatRange(random);
            yield return Forward<float>(i % 2 == 1, CKernel.Conv2DForwardFloat, CKernel.Conv2DForwardFloatWithMask,
                $"{Describe(p)} clamp [{min},{max}] bias {bias.Length}", Ints(p), [min, max], [Bytes(input), Bytes(filter), Bytes(bias)], p.OutputLength,
                (output, mask) => Conv2D.ForwardFloat(p, input, filter, bias, output, min, max, mask, VectorWidth.Scalar));
        }
    }

    private static DepthwiseConv2DParams DepthwiseParams(Random random, RequantMode mode, int depthMultiplier)
    {
        int kernel = Pick(random, 1, 3, 3, 5, 7);
        var y = Axis(random, kernel);
        var x = Axis(random, random.Next(4) == 0 ? Pick(random, 1, 3, 5) : kernel);
        int inputC = Pick(random, 1, 2, 3, 5, 8, 16, 17, 24);
        int inputZero = KernelRandom.ZeroPoint(random);
        int outputZero = KernelRandom.ZeroPoint(random);
        var (min, max) = KernelRandom.Activation(random, outputZero);
        return new DepthwiseConv2DParams(y.Input, x.Input, inputC, y.Output, x.Output, depthMultiplier, y.Kernel, x.Kernel, y.Stride, x.Stride,
            y.Dilation, x.Dilation, y.Pad, x.Pad, inputZero, outputZero, min, max, KernelRandom.Requant(random, mode, inputC * depthMultiplier));
    }

    private static int[] Ints(DepthwiseConv2DParams p) =>
    [
        p.InputH, p.InputW, p.InputC, p.OutputH, p.OutputW, p.DepthMultiplier, p.KernelH, p.KernelW, p.StrideH, p.StrideW,
        p.DilationH, p.DilationW, p.PadTop, p.PadLeft, p.InputZeroPoint, p.OutputZeroPoint, p.ActMin, p.ActMax, (int)p.Requant.Mode,
    ];

    private static string Describe(DepthwiseConv2DParams p) =>
        $"in {p.InputH}x{p.InputW}x{p.InputC} M {p.DepthMultiplier} out {p.OutputH}x{p.OutputW} k {p.KernelH}x{p.KernelW} s {p.StrideH},{p.StrideW} " +
        $"d {p.DilationH},{p.DilationW} pad {p.PadTop},{p.PadLeft} zp {p.InputZeroPoint}->{p.OutputZeroPoint} act [{p.ActMin},{p.ActMax}] {Describe(p.Requant.Mode, p.Requant)}";

    public static IEnumerable<CKernelCase> DepthwiseConv2DForward(int seed, int count)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            var p = DepthwiseParams(random, i % 2 == 0 ? RequantMode.Float : RequantMode.FixedPoint, Pick(random, 1, 1, 2, 3));
            var input = KernelRandom.Int8(random, p.InputLength);
            var filter = KernelRandom.Int8(random, p.FilterLength);
            var bias = KernelRandom.Bias(random, p.OutputC);
            yield return Forward<sbyte>(i % 4 >= 2, CKernel.DepthwiseConv2DForward, CKernel.DepthwiseConv2DForwardWithMask, Describe(p), Ints(p), [],
                [Bytes(input), Bytes(filter), Bytes(bias), .. RequantInputs(p.Requant)], p.OutputLength,
                (output, mask) => DepthwiseConv2D.Forward(p, input, filter, bias, output, mask, VectorWidth.Scalar));
        }
    }

    public static IEnumerable<CKernelCase> DepthwiseConv2DBackward(int seed, int count)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            bool integer = i % 2 == 0;
            // The filter gradient needs depth multiplier 1; the input gradient takes any.
            var withMultiplier = DepthwiseParams(random, RequantMode.Float, Pick(random, 1, 2, 3));
            var accGrad = Floats(random, withMultiplier.OutputLength);
            var inputGrad = Poison<float>(withMultiplier.InputLength);
            var expectedInput = (float[])inputGrad.Clone();
            if (integer)
            {
                var filter = KernelRandom.Int8(random, withMultiplier.FilterLength);
                KernelSet.Reference.DepthwiseConv2DInputGrad(withMultiplier, accGrad, filter, expectedInput);
                yield return new(CKernel.DepthwiseConv2DInputGrad, Describe(withMultiplier), Ints(withMultiplier), [], [Bytes(accGrad), Bytes(filter)], [Bytes(inputGrad)], [Bytes(expectedInput)]);
            }
            else
            {
                var filter = Floats(random, withMultiplier.FilterLength);
                KernelSet.Reference.DepthwiseConv2DInputGrad(withMultiplier, accGrad, filter, expectedInput);
                yield return new(CKernel.DepthwiseConv2DInputGradFloat, Describe(withMultiplier), Ints(withMultiplier), [], [Bytes(accGrad), Bytes(filter)], [Bytes(inputGrad)], [Bytes(expectedInput)]);
            }

            var p = DepthwiseParams(random, RequantMode.Float, 1);
            var channels = Channels(random, p.InputC);
            var gradient = Floats(random, p.OutputLength);
            var filterGrad = Poison<float>(p.KernelH * p.KernelW * channels.Length);
            var expectedFilter = (float[])filterGrad.Clone();
            string description = $"{Describe(p)} channels [{string.Join(',', channels)}]";
            if (integer)
            {
                var input = KernelRandom.Int8(random, p.InputLength);
                KernelSet.Reference.DepthwiseConv2DFilterGrad(p, input, gradient, channels, expectedFilter);
                yield return new(CKernel.DepthwiseConv2DFilterGrad, description, Ints(p), [], [Bytes(input), Bytes(gradient), Bytes(channels)], [Bytes(filterGrad)], [Bytes(expectedFilter)]);
            }
            else
            {
                var input = Floats(random, p.InputLength, 4f);
                KernelSet.Reference.DepthwiseConv2DFilterGrad(p, input, gradient, channels, expectedFilter);
                yield return new(CKernel.DepthwiseConv2DFilterGradFloat, description, Ints(p), [], [Bytes(input), Bytes(gradient), Bytes(channels)], [Bytes(filterGrad)], [Bytes(expectedFilter)]);
            }
        }
    }

    public static IEnumerable<CKernelCase> DepthwiseConv2DForwardFloat(int seed, int count)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            var p = DepthwiseParams(random, RequantMode.Float, Pick(random, 1, 1, 2));
            var input = Floats(random, p.InputLength, 3f);
            var filter = Floats(random, p.FilterLength);
            var bias = random.Next(3) == 0 ? [] : Floats(random, p.OutputC);
            var (min, max) = FloatRange(random);
            yield return Forward<float>(i % 2 == 1, CKernel.DepthwiseConv2DForwardFloat, CKernel.DepthwiseConv2DForwardFloatWithMask,
                $"{Describe(p)} clamp [{min},{max}] bias {bias.Length}", Ints(p), [min, max], [Bytes(input), Bytes(filter), Bytes(bias)], p.OutputLength,
                (output, mask) => DepthwiseConv2D.ForwardFloat(p, input, filter, bias, output, min, max, mask, VectorWidth.Scalar));
        }
    }

    private static FullyConnectedParams FullyConnectedParams(Random random, RequantMode mode)
    {
        int outputDepth = Pick(random, 1, 3, 10, 17, 32);
        int outputZero = KernelRandom.ZeroPoint(random);
        var (min, max) = KernelRandom.Activation(random, outputZero);
        return new FullyConnectedParams(Pick(random, 1, 1, 2, 3), Pick(random, 1, 5, 16, 33, 160), outputDepth,
            KernelRandom.ZeroPoint(random), random.Next(3) == 0 ? random.Next(-128, 128) : 0, outputZero, min, max,
            KernelRandom.Requant(random, mode, outputDepth));
    }

    private static int[] Ints(FullyConnectedParams p) =>
        [p.Batches, p.InputDepth, p.OutputDepth, p.InputZeroPoint, p.FilterZeroPoint, p.OutputZeroPoint, p.ActMin, p.ActMax, (int)p.Requant.Mode];

    private static string Describe(FullyConnectedParams p) =>
        $"batches {p.Batches} {p.InputDepth}->{p.OutputDepth} zp x {p.InputZeroPoint} w {p.FilterZeroPoint} y {p.OutputZeroPoint} act [{p.ActMin},{p.ActMax}] {Describe(p.Requant.Mode, p.Requant)}";

    public static IEnumerable<CKernelCase> FullyConnectedForward(int seed, int count)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            var p = FullyConnectedParams(random, i % 2 == 0 ? RequantMode.Float : RequantMode.FixedPoint);
            var input = KernelRandom.Int8(random, p.Batches * p.InputDepth);
            var filter = KernelRandom.Int8(random, p.OutputDepth * p.InputDepth);
            var bias = KernelRandom.Bias(random, p.OutputDepth);
            yield return Forward<sbyte>(i % 4 >= 2, CKernel.FullyConnectedForward, CKernel.FullyConnectedForwardWithMask, Describe(p), Ints(p), [],
                [Bytes(input), Bytes(filter), Bytes(bias), .. RequantInputs(p.Requant)], p.Batches * p.OutputDepth,
                (output, mask) => FullyConnected.Forward(p, input, filter, bias, output, mask, VectorWidth.Scalar));
        }
    }

    public static IEnumerable<CKernelCase> FullyConnectedBackward(int seed, int count)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            var p = FullyConnectedParams(random, RequantMode.Float);
            var accGrad = Floats(random, p.Batches * p.OutputDepth);
            var channels = Channels(random, p.InputDepth);
            CKernel[] ids =
            [
                CKernel.FullyConnectedInputGrad, CKernel.FullyConnectedInputGradFloat, CKernel.FullyConnectedFilterGrad,
                CKernel.FullyConnectedFilterGradFloat, CKernel.FullyConnectedFilterGradWindow, CKernel.FullyConnectedFilterGradWindowFloat,
            ];
            var cases = i % 2 == 0
                ? FullyConnectedGradients(random, true, p, accGrad, channels, ids,
                    KernelRandom.Int8(random, p.OutputDepth * p.InputDepth), KernelRandom.Int8(random, p.Batches * p.InputDepth))
                : FullyConnectedGradients(random, false, p, accGrad, channels, ids,
                    Floats(random, p.OutputDepth * p.InputDepth), Floats(random, p.Batches * p.InputDepth, 4f));
            foreach (var c in cases)
            {
                yield return c;
            }
        }
    }

    private static IEnumerable<CKernelCase> FullyConnectedGradients<T>(
        Random random, bool integer, FullyConnectedParams p, float[] accGrad, int[] channels, CKernel[] ids, T[] filter, T[] input)
        where T : unmanaged, System.Numerics.INumberBase<T> =>
        Gradients(random, integer, Describe(p), Ints(p), p.Batches * p.InputDepth, p.OutputDepth, channels.Length, Bytes(accGrad), filter, input,
            channels,
            expected => FullyConnected.InputGrad<T>(p, accGrad, filter, expected, VectorWidth.Scalar),
            expected => FullyConnected.FilterGrad<T>(p, input, accGrad, channels, null, expected, VectorWidth.Scalar),
            (first, expected) => FullyConnected.FilterGrad<T>(p, input, accGrad, channels, first, expected, VectorWidth.Scalar), ids);

    public static IEnumerable<CKernelCase> FullyConnectedForwardFloat(int seed, int count)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            var p = FullyConnectedParams(random, RequantMode.Float);
            var input = Floats(random, p.Batches * p.InputDepth, 3f);
            var filter = Floats(random, p.OutputDepth * p.InputDepth);
            var bias = random.Next(3) == 0 ? [] : Floats(random, p.OutputDepth);
            var (min, max) = FloatRange(random);
            yield return Forward<float>(i % 2 == 1, CKernel.FullyConnectedForwardFloat, CKernel.FullyConnectedForwardFloatWithMask,
                $"{Describe(p)} clamp [{min},{max}] bias {bias.Length}", Ints(p), [min, max], [Bytes(input), Bytes(filter), Bytes(bias)],
                p.Batches * p.OutputDepth,
                (output, mask) => FullyConnected.ForwardFloat(p, input, filter, bias, output, min, max, mask, VectorWidth.Scalar));
        }
    }
}
