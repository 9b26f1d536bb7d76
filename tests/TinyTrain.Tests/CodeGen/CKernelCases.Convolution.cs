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
            var output = Poison<sbyte>(p.OutputLength);
            var expected = (sbyte[])output.Clone();
            byte[][] inputs = [Bytes(input), Bytes(filter), Bytes(bias), .. RequantInputs(p.Requant)];
            if (i % 4 < 2)
            {
                KernelSet.Reference.Conv2DForward(p, input, filter, bias, expected);
                yield return new(CKernel.Conv2DForward, Describe(p), Ints(p), [], inputs, [Bytes(output)], [Bytes(expected)]);
            }
            else
            {
                var mask = Poison<byte>(ClampMask.ByteLength(p.OutputLength));
                var expectedMask = (byte[])mask.Clone();
                KernelSet.Reference.Conv2DForwardWithMask(p, input, filter, bias, expected, expectedMask);
                yield return new(CKernel.Conv2DForwardWithMask, Describe(p), Ints(p), [], inputs, [Bytes(output), mask], [Bytes(expected), expectedMask]);
            }
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
            var inputGrad = Poison<float>(p.InputLength);
            var expectedInput = (float[])inputGrad.Clone();
            var channels = Channels(random, p.InputC);
            var filterGrad = Poison<float>(p.OutputC * p.KernelH * p.KernelW * channels.Length);
            var expectedFilter = (float[])filterGrad.Clone();
            if (i % 2 == 0)
            {
                var filter = KernelRandom.Int8(random, p.FilterLength);
                var input = KernelRandom.Int8(random, p.InputLength);
                KernelSet.Reference.Conv2DInputGrad(p, accGrad, filter, expectedInput);
                KernelSet.Reference.Conv2DFilterGrad(p, input, accGrad, channels, expectedFilter);
                yield return new(CKernel.Conv2DInputGrad, Describe(p), Ints(p), [], [Bytes(accGrad), Bytes(filter)], [Bytes(inputGrad)], [Bytes(expectedInput)]);
                yield return new(CKernel.Conv2DFilterGrad, $"{Describe(p)} channels [{string.Join(',', channels)}]", Ints(p), [],
                    [Bytes(input), Bytes(accGrad), Bytes(channels)], [Bytes(filterGrad)], [Bytes(expectedFilter)]);
                var (first, outputs, window, expectedWindow) = Window(random, p.OutputC, p.KernelH * p.KernelW * channels.Length);
                KernelSet.Reference.Conv2DFilterGrad(p, input, accGrad, channels, first, expectedWindow);
                yield return new(CKernel.Conv2DFilterGradWindow, $"{Describe(p)} channels [{string.Join(',', channels)}] outputs {first}+{outputs}",
                    [.. Ints(p), first, outputs], [], [Bytes(input), Bytes(accGrad), Bytes(channels)], [Bytes(window)], [Bytes(expectedWindow)]);
            }
            else
            {
                var filter = Floats(random, p.FilterLength);
                var input = Floats(random, p.InputLength, 4f);
                KernelSet.Reference.Conv2DInputGrad(p, accGrad, filter, expectedInput);
                KernelSet.Reference.Conv2DFilterGrad(p, input, accGrad, channels, expectedFilter);
                yield return new(CKernel.Conv2DInputGradFloat, Describe(p), Ints(p), [], [Bytes(accGrad), Bytes(filter)], [Bytes(inputGrad)], [Bytes(expectedInput)]);
                yield return new(CKernel.Conv2DFilterGradFloat, $"{Describe(p)} channels [{string.Join(',', channels)}]", Ints(p), [],
                    [Bytes(input), Bytes(accGrad), Bytes(channels)], [Bytes(filterGrad)], [Bytes(expectedFilter)]);
                var (first, outputs, window, expectedWindow) = Window(random, p.OutputC, p.KernelH * p.KernelW * channels.Length);
                KernelSet.Reference.Conv2DFilterGrad(p, input, accGrad, channels, first, expectedWindow);
                yield return new(CKernel.Conv2DFilterGradWindowFloat, $"{Describe(p)} channels [{string.Join(',', channels)}] outputs {first}+{outputs}",
                    [.. Ints(p), first, outputs], [], [Bytes(input), Bytes(accGrad), Bytes(channels)], [Bytes(window)], [Bytes(expectedWindow)]);
            }
        }
    }

    /// <summary>A block of output channels for a windowed filter gradient (the fused update's), poisoned output buffers.</summary>
    private static (int First, int Outputs, float[] Window, float[] Expected) Window(Random random, int outputChannels, int perOutput)
    {
        int first = random.Next(outputChannels);
        int outputs = random.Next(1, outputChannels - first + 1);
        var window = Poison<float>(outputs * perOutput);
        return (first, outputs, window, (float[])window.Clone());
    }

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
            var output = Poison<float>(p.OutputLength);
            var expected = (float[])output.Clone();
            byte[][] inputs = [Bytes(input), Bytes(filter), Bytes(bias)];
            string description = $"{Describe(p)} clamp [{min},{max}] bias {bias.Length}";
            if (i % 2 == 0)
            {
                KernelSet.Reference.Conv2DForwardFloat(p, input, filter, bias, expected, min, max, default);
                yield return new(CKernel.Conv2DForwardFloat, description, Ints(p), [min, max], inputs, [Bytes(output)], [Bytes(expected)]);
            }
            else
            {
                var mask = Poison<byte>(ClampMask.ByteLength(p.OutputLength));
                var expectedMask = (byte[])mask.Clone();
                KernelSet.Reference.Conv2DForwardFloat(p, input, filter, bias, expected, min, max, expectedMask);
                yield return new(CKernel.Conv2DForwardFloatWithMask, description, Ints(p), [min, max], inputs, [Bytes(output), mask], [Bytes(expected), expectedMask]);
            }
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
            var output = Poison<sbyte>(p.OutputLength);
            var expected = (sbyte[])output.Clone();
            byte[][] inputs = [Bytes(input), Bytes(filter), Bytes(bias), .. RequantInputs(p.Requant)];
            if (i % 4 < 2)
            {
                KernelSet.Reference.DepthwiseConv2DForward(p, input, filter, bias, expected);
                yield return new(CKernel.DepthwiseConv2DForward, Describe(p), Ints(p), [], inputs, [Bytes(output)], [Bytes(expected)]);
            }
            else
            {
                var mask = Poison<byte>(ClampMask.ByteLength(p.OutputLength));
                var expectedMask = (byte[])mask.Clone();
                KernelSet.Reference.DepthwiseConv2DForwardWithMask(p, input, filter, bias, expected, expectedMask);
                yield return new(CKernel.DepthwiseConv2DForwardWithMask, Describe(p), Ints(p), [], inputs, [Bytes(output), mask], [Bytes(expected), expectedMask]);
            }
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
            var output = Poison<float>(p.OutputLength);
            var expected = (float[])output.Clone();
            byte[][] inputs = [Bytes(input), Bytes(filter), Bytes(bias)];
            string description = $"{Describe(p)} clamp [{min},{max}] bias {bias.Length}";
            if (i % 2 == 0)
            {
                KernelSet.Reference.DepthwiseConv2DForwardFloat(p, input, filter, bias, expected, min, max, default);
                yield return new(CKernel.DepthwiseConv2DForwardFloat, description, Ints(p), [min, max], inputs, [Bytes(output)], [Bytes(expected)]);
            }
            else
            {
                var mask = Poison<byte>(ClampMask.ByteLength(p.OutputLength));
                var expectedMask = (byte[])mask.Clone();
                KernelSet.Reference.DepthwiseConv2DForwardFloat(p, input, filter, bias, expected, min, max, expectedMask);
                yield return new(CKernel.DepthwiseConv2DForwardFloatWithMask, description, Ints(p), [min, max], inputs, [Bytes(output), mask], [Bytes(expected), expectedMask]);
            }
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
            var output = Poison<sbyte>(p.Batches * p.OutputDepth);
            var expected = (sbyte[])output.Clone();
            byte[][] inputs = [Bytes(input), Bytes(filter), Bytes(bias), .. RequantInputs(p.Requant)];
            if (i % 4 < 2)
            {
                KernelSet.Reference.FullyConnectedForward(p, input, filter, bias, expected);
                yield return new(CKernel.FullyConnectedForward, Describe(p), Ints(p), [], inputs, [Bytes(output)], [Bytes(expected)]);
            }
            else
            {
                var mask = Poison<byte>(ClampMask.ByteLength(output.Length));
                var expectedMask = (byte[])mask.Clone();
                KernelSet.Reference.FullyConnectedForwardWithMask(p, input, filter, bias, expected, expectedMask);
                yield return new(CKernel.FullyConnectedForwardWithMask, Describe(p), Ints(p), [], inputs, [Bytes(output), mask], [Bytes(expected), expectedMask]);
            }
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
            var inputGrad = Poison<float>(p.Batches * p.InputDepth);
            var expectedInput = (float[])inputGrad.Clone();
            var filterGrad = Poison<float>(p.OutputDepth * channels.Length);
            var expectedFilter = (float[])filterGrad.Clone();
            string description = $"{Describe(p)} channels [{string.Join(',', channels)}]";
            if (i % 2 == 0)
            {
                var filter = KernelRandom.Int8(random, p.OutputDepth * p.InputDepth);
                var input = KernelRandom.Int8(random, p.Batches * p.InputDepth);
                KernelSet.Reference.FullyConnectedInputGrad(p, accGrad, filter, expectedInput);
                KernelSet.Reference.FullyConnectedFilterGrad(p, input, accGrad, channels, expectedFilter);
                yield return new(CKernel.FullyConnectedInputGrad, description, Ints(p), [], [Bytes(accGrad), Bytes(filter)], [Bytes(inputGrad)], [Bytes(expectedInput)]);
                yield return new(CKernel.FullyConnectedFilterGrad, description, Ints(p), [], [Bytes(input), Bytes(accGrad), Bytes(channels)], [Bytes(filterGrad)], [Bytes(expectedFilter)]);
                var (first, outputs, window, expectedWindow) = Window(random, p.OutputDepth, channels.Length);
                KernelSet.Reference.FullyConnectedFilterGrad(p, input, accGrad, channels, first, expectedWindow);
                yield return new(CKernel.FullyConnectedFilterGradWindow, $"{description} outputs {first}+{outputs}", [.. Ints(p), first, outputs], [],
                    [Bytes(input), Bytes(accGrad), Bytes(channels)], [Bytes(window)], [Bytes(expectedWindow)]);
            }
            else
            {
                var filter = Floats(random, p.OutputDepth * p.InputDepth);
                var input = Floats(random, p.Batches * p.InputDepth, 4f);
                KernelSet.Reference.FullyConnectedInputGrad(p, accGrad, filter, expectedInput);
                KernelSet.Reference.FullyConnectedFilterGrad(p, input, accGrad, channels, expectedFilter);
                yield return new(CKernel.FullyConnectedInputGradFloat, description, Ints(p), [], [Bytes(accGrad), Bytes(filter)], [Bytes(inputGrad)], [Bytes(expectedInput)]);
                yield return new(CKernel.FullyConnectedFilterGradFloat, description, Ints(p), [], [Bytes(input), Bytes(accGrad), Bytes(channels)], [Bytes(filterGrad)], [Bytes(expectedFilter)]);
                var (first, outputs, window, expectedWindow) = Window(random, p.OutputDepth, channels.Length);
                KernelSet.Reference.FullyConnectedFilterGrad(p, input, accGrad, channels, first, expectedWindow);
                yield return new(CKernel.FullyConnectedFilterGradWindowFloat, $"{description} outputs {first}+{outputs}", [.. Ints(p), first, outputs], [],
                    [Bytes(input), Bytes(accGrad), Bytes(channels)], [Bytes(window)], [Bytes(expectedWindow)]);
            }
        }
    }

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
            var output = Poison<float>(p.Batches * p.OutputDepth);
            var expected = (float[])output.Clone();
            byte[][] inputs = [Bytes(input), Bytes(filter), Bytes(bias)];
            string description = $"{Describe(p)} clamp [{min},{max}] bias {bias.Length}";
            if (i % 2 == 0)
            {
                KernelSet.Reference.FullyConnectedForwardFloat(p, input, filter, bias, expected, min, max, default);
                yield return new(CKernel.FullyConnectedForwardFloat, description, Ints(p), [min, max], inputs, [Bytes(output)], [Bytes(expected)]);
            }
            else
            {
                var mask = Poison<byte>(ClampMask.ByteLength(output.Length));
                var expectedMask = (byte[])mask.Clone();
                KernelSet.Reference.FullyConnectedForwardFloat(p, input, filter, bias, expected, min, max, expectedMask);
                yield return new(CKernel.FullyConnectedForwardFloatWithMask, description, Ints(p), [min, max], inputs, [Bytes(output), mask], [Bytes(expected), expectedMask]);
            }
        }
    }
}
