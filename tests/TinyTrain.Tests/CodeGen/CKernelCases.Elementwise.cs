using TinyTrain.Kernels;
using TinyTrain.Tests.Kernels;
using static TinyTrain.Tests.CodeGen.CKernelCase;

namespace TinyTrain.Tests.CodeGen;

internal static partial class CKernelCases
{
    private static AddParams AddParams(Random random, RequantMode mode, int length)
    {
        // Powers of two make exact .5 ties (where rounding modes differ) common.
        double Scale() => random.Next(3) == 0 ? Math.ScaleB(1, -random.Next(2, 9)) : 0.002 + random.NextDouble() * 0.2;
        int zeroOut = KernelRandom.ZeroPoint(random);
        var (min, max) = KernelRandom.Activation(random, zeroOut);
        return mode == RequantMode.Float
            ? Add.CreateFloat(length, Scale(), KernelRandom.ZeroPoint(random), Scale(), KernelRandom.ZeroPoint(random), Scale(), zeroOut, min, max)
            : Add.CreateFixedPoint(length, Scale(), KernelRandom.ZeroPoint(random), Scale(), KernelRandom.ZeroPoint(random), Scale(), zeroOut, min, max);
    }

    private static int[] Ints(AddParams p) =>
    [
        p.Length, p.ZeroA, p.ZeroB, p.ZeroOut, p.ActMin, p.ActMax, (int)p.Mode, p.LeftShift,
        p.MultiplierA, p.ShiftA, p.MultiplierB, p.ShiftB, p.MultiplierOut, p.ShiftOut,
    ];

    private static string Describe(AddParams p) =>
        $"{p.Mode} n {p.Length} scales {p.ScaleA},{p.ScaleB}->{p.ScaleOut} zp {p.ZeroA},{p.ZeroB}->{p.ZeroOut} act [{p.ActMin},{p.ActMax}]";

    /// <summary>int8 add forwards (both modes, masks) and the fp32 add.</summary>
    public static IEnumerable<CKernelCase> AddForward(int seed, int count)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            int length = Pick(random, 1, 7, 64, 300);
            var p = AddParams(random, i % 2 == 0 ? RequantMode.Float : RequantMode.FixedPoint, length);
            var a = KernelRandom.Int8(random, length);
            var b = KernelRandom.Int8(random, length);
            var output = Poison<sbyte>(length);
            var expected = (sbyte[])output.Clone();
            int[] ints = Ints(p);
            float[] scales = [p.ScaleA, p.ScaleB, p.ScaleOut];
            if (i % 4 < 2)
            {
                KernelSet.Reference.AddForward(p, a, b, expected);
                yield return new(CKernel.AddForward, Describe(p), ints, scales, [Bytes(a), Bytes(b)], [Bytes(output)], [Bytes(expected)]);
            }
            else
            {
                var mask = Poison<byte>(ClampMask.ByteLength(length));
                var expectedMask = (byte[])mask.Clone();
                KernelSet.Reference.AddForwardWithMask(p, a, b, expected, expectedMask);
                yield return new(CKernel.AddForwardWithMask, Describe(p), ints, scales, [Bytes(a), Bytes(b)], [Bytes(output), mask], [Bytes(expected), expectedMask]);
            }

            var x = Floats(random, length, 4f);
            var y = Floats(random, length, 4f);
            var (min, max) = FloatRange(random);
            var sum = Poison<float>(length);
            var expectedSum = (float[])sum.Clone();
            var sumMask = Poison<byte>(ClampMask.ByteLength(length));
            var expectedSumMask = (byte[])sumMask.Clone();
            if (random.Next(2) == 0)
            {
                Add.ForwardFloat(x, y, expectedSum, min, max);
                yield return new(CKernel.AddForwardFloat, $"n {length} clamp [{min},{max}]", [length], [min, max], [Bytes(x), Bytes(y)], [Bytes(sum)], [Bytes(expectedSum)]);
            }
            else
            {
                Add.ForwardFloatWithMask(x, y, expectedSum, min, max, expectedSumMask);
                yield return new(CKernel.AddForwardFloatWithMask, $"n {length} clamp [{min},{max}]", [length], [min, max], [Bytes(x), Bytes(y)],
                    [Bytes(sum), sumMask], [Bytes(expectedSum), expectedSumMask]);
            }
        }
    }

    private static PoolParams PoolParams(Random random)
    {
        (int Input, int Filter, int Stride, int Pad, int Output) Axis()
        {
            while (true)
            {
                int input = random.Next(1, 12);
                int filter = Pick(random, 1, 2, 3, 4, 5, 7);
                int stride = Pick(random, 1, 2, 3);
                int padBefore = random.Next(0, filter); // every window keeps at least one in-image position
                int padAfter = random.Next(0, filter);
                int output = OutputExtent(input, padBefore, padAfter, filter, stride);
                if (output >= 1)
                {
                    return (input, filter, stride, padBefore, output);
                }
            }
        }

        var y = Axis();
        var x = Axis();
        var (min, max) = random.Next(2) == 0 ? (-128, 127) : KernelRandom.Activation(random, random.Next(-128, 100));
        return new PoolParams(y.Input, x.Input, Pick(random, 1, 3, 8, 17), y.Output, x.Output, y.Filter, x.Filter, y.Stride, x.Stride,
            y.Pad, x.Pad, min, max, random.Next(2) == 0 ? PoolRounding.HalfAwayFromZero : PoolRounding.HalfToEven);
    }

    private static int[] Ints(PoolParams p) =>
    [
        p.InputH, p.InputW, p.Channels, p.OutputH, p.OutputW, p.FilterH, p.FilterW, p.StrideH, p.StrideW, p.PadTop, p.PadLeft,
        p.ActMin, p.ActMax, (int)p.Rounding,
    ];

    private static string Describe(PoolParams p) =>
        $"in {p.InputH}x{p.InputW}x{p.Channels} out {p.OutputH}x{p.OutputW} f {p.FilterH}x{p.FilterW} s {p.StrideH},{p.StrideW} pad {p.PadTop},{p.PadLeft} act [{p.ActMin},{p.ActMax}] {p.Rounding}";

    /// <summary>The int8 pool (both roundings), its backward and its fp32 forward.</summary>
    public static IEnumerable<CKernelCase> Pooling(int seed, int count)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            var p = PoolParams(random);
            int inputLength = p.InputH * p.InputW * p.Channels, outputLength = p.OutputH * p.OutputW * p.Channels;
            var input = KernelRandom.Int8(random, inputLength);
            var output = Poison<sbyte>(outputLength);
            var expected = (sbyte[])output.Clone();
            AveragePool2D.Forward(p, input, expected);
            yield return new(CKernel.AveragePool2DForward, Describe(p), Ints(p), [], [Bytes(input)], [Bytes(output)], [Bytes(expected)]);

            var outputGrad = Floats(random, outputLength);
            var inputGrad = Poison<float>(inputLength);
            var expectedGrad = (float[])inputGrad.Clone();
            KernelSet.Reference.AveragePool2DBackward(p, outputGrad, expectedGrad);
            yield return new(CKernel.AveragePool2DBackward, Describe(p), Ints(p), [], [Bytes(outputGrad)], [Bytes(inputGrad)], [Bytes(expectedGrad)]);

            var floatInput = Floats(random, inputLength, 5f);
            var floatOutput = Poison<float>(outputLength);
            var expectedFloat = (float[])floatOutput.Clone();
            AveragePool2D.ForwardFloat(p, floatInput, expectedFloat);
            yield return new(CKernel.AveragePool2DForwardFloat, Describe(p), Ints(p), [], [Bytes(floatInput)], [Bytes(floatOutput)], [Bytes(expectedFloat)]);
        }
    }

    /// <summary>Mean over H and W (including an empty reduction), softmax and pad.</summary>
    public static IEnumerable<CKernelCase> MeanSoftmaxPad(int seed, int count)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            int h = i == 0 ? 0 : random.Next(1, 10), w = random.Next(1, 10), channels = Pick(random, 1, 3, 16, 17);
            double inputScale = 0.01 + random.NextDouble() * 0.1;
            double outputScale = random.Next(3) == 0 ? inputScale : inputScale * (0.1 + random.NextDouble() * 4);
            var mean = Mean.Create(h, w, channels, inputScale, KernelRandom.ZeroPoint(random), outputScale, KernelRandom.ZeroPoint(random));
            var meanInput = KernelRandom.Int8(random, h * w * channels);
            var meanOutput = Poison<sbyte>(channels);
            var expectedMean = (sbyte[])meanOutput.Clone();
            Mean.Forward(mean, meanInput, expectedMean);
            yield return new(CKernel.MeanForward, mean.ToString(),
                [mean.InputH, mean.InputW, mean.Channels, mean.InputZeroPoint, mean.OutputZeroPoint, mean.Multiplier, mean.Shift], [],
                [Bytes(meanInput)], [Bytes(meanOutput)], [Bytes(expectedMean)]);

            var softmax = Softmax.Prepare(random.Next(1, 5), Pick(random, 1, 2, 5, 10, 37, 100),
                random.Next(2) == 0 ? 1.0 : 0.5 + random.NextDouble(), 0.005 + random.NextDouble() * 0.3);
            var logits = KernelRandom.Int8(random, softmax.Rows * softmax.Depth);
            var probabilities = Poison<sbyte>(logits.Length);
            var expectedProbabilities = (sbyte[])probabilities.Clone();
            Softmax.Forward(softmax, logits, expectedProbabilities);
            yield return new(CKernel.SoftmaxForward, softmax.ToString(),
                [softmax.Rows, softmax.Depth, softmax.InputMultiplier, softmax.InputLeftShift, softmax.DiffMin], [],
                [Bytes(logits)], [Bytes(probabilities)], [Bytes(expectedProbabilities)]);

            var pad = new PadParams(random.Next(0, 6), random.Next(1, 6), Pick(random, 1, 3, 8), random.Next(3), random.Next(3), random.Next(3),
                random.Next(3), random.Next(3), random.Next(3), (sbyte)random.Next(-128, 128));
            var padInput = KernelRandom.Int8(random, pad.InputH * pad.InputW * pad.InputC);
            var padOutput = Poison<sbyte>(pad.OutputH * pad.OutputW * pad.OutputC);
            var expectedPad = (sbyte[])padOutput.Clone();
            Pad.Forward(pad, padInput, expectedPad);
            yield return new(CKernel.PadForward, pad.ToString(),
                [pad.InputH, pad.InputW, pad.InputC, pad.PadTop, pad.PadBottom, pad.PadLeft, pad.PadRight, pad.PadChannelsBefore, pad.PadChannelsAfter, pad.PadValue], [],
                [Bytes(padInput)], [Bytes(padOutput)], [Bytes(expectedPad)]);
        }
    }

    /// <summary>Requantisation gradients (masked and not, per channel and per tensor, in place), bias gradient, fan-in adds.</summary>
    public static IEnumerable<CKernelCase> GradientPlumbing(int seed, int count)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            int channels = Pick(random, 1, 3, 8, 17, 16, 24), length = channels * random.Next(1, 12);
            var scale = Floats(random, random.Next(3) == 0 ? 1 : channels, 0.1f);
            var outputGrad = Floats(random, length);
            var mask = Mask(random, length);
            bool inPlace = random.Next(2) == 0;
            var accGrad = inPlace ? (float[])outputGrad.Clone() : Poison<float>(length);
            var expected = (float[])accGrad.Clone();
            KernelSet.Reference.AccumulatorGrad(inPlace ? expected : outputGrad, mask, scale, channels, expected);
            string description = $"n {length} channels {channels} scales {scale.Length} in place {inPlace}";
            yield return new(CKernel.RequantAccumulatorGrad, description, [channels, length, inPlace ? 1 : 0], [],
                [Bytes(outputGrad), mask, Bytes(scale)], [Bytes(accGrad)], [Bytes(expected)]);

            var scaled = inPlace ? (float[])outputGrad.Clone() : Poison<float>(length);
            var expectedScaled = (float[])scaled.Clone();
            Requant.ScaleGrad(inPlace ? expectedScaled : outputGrad, scale, channels, expectedScaled);
            yield return new(CKernel.RequantScaleGrad, description, [channels, length, inPlace ? 1 : 0], [],
                [Bytes(outputGrad), Bytes(scale)], [Bytes(scaled)], [Bytes(expectedScaled)]);

            var biasGrad = Poison<float>(channels);
            var expectedBias = (float[])biasGrad.Clone();
            KernelSet.Reference.BiasGrad(outputGrad, channels, expectedBias);
            yield return new(CKernel.BiasGrad, description, [length, channels], [], [Bytes(outputGrad)], [Bytes(biasGrad)], [Bytes(expectedBias)]);

            var target = Floats(random, length);
            var expectedTarget = (float[])target.Clone();
            KernelSet.Reference.AddInPlace(expectedTarget, outputGrad);
            yield return new(CKernel.ElementwiseAddInPlace, $"n {length}", [length], [], [Bytes(outputGrad)], [Bytes(target)], [Bytes(expectedTarget)]);

            // The executor's GradAddCall: copy a into the output, then add b in place.
            var a = Floats(random, length);
            var sum = inPlace ? (float[])a.Clone() : Poison<float>(length);
            var expectedSum = (float[])sum.Clone();
            a.CopyTo(expectedSum, 0);
            KernelSet.Reference.AddInPlace(expectedSum, outputGrad);
            yield return new(CKernel.ElementwiseAdd, $"n {length} output is a {inPlace}", [length, inPlace ? 1 : 0], [],
                [Bytes(a), Bytes(outputGrad)], [Bytes(sum)], [Bytes(expectedSum)]);
        }
    }

    /// <summary>The loss (separate, in-place and absent gradient), dequantisation and argmax.</summary>
    public static IEnumerable<CKernelCase> Loss(int seed, int count)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            int length = Pick(random, 1, 2, 10, 100, 1000);
            int label = random.Next(length);
            var logits = random.Next(3) == 0
                ? KernelRandom.Int8(random, length).Select(q => q * 0.1f).ToArray()
                : Floats(random, length, random.Next(2) == 0 ? 3f : 30f);
            int mode = i % 3; // 0 separate gradient, 1 in place, 2 loss only
            var loss = Poison<float>(1);
            var grad = mode == 1 ? (float[])logits.Clone() : Poison<float>(length);
            var expectedGrad = (float[])grad.Clone();
            var expectedLoss = new float[1];
            expectedLoss[0] = SoftmaxCrossEntropy.Forward(mode == 1 ? expectedGrad : logits, label, mode == 2 ? new float[length] : expectedGrad);
            byte[][] outputs = mode == 2 ? [Bytes(loss)] : [Bytes(loss), Bytes(grad)];
            byte[][] expected = mode == 2 ? [Bytes(expectedLoss)] : [Bytes(expectedLoss), Bytes(expectedGrad)];
            yield return new(CKernel.SoftmaxCrossEntropyForward, $"n {length} label {label} mode {mode}", [length, label, mode], [],
                [Bytes(logits)], outputs, expected);

            var q = KernelRandom.Int8(random, length);
            float scale = (float)(0.001 + random.NextDouble());
            int zeroPoint = KernelRandom.ZeroPoint(random);
            var real = Poison<float>(length);
            var expectedReal = (float[])real.Clone();
            SoftmaxCrossEntropy.Dequantize(q, scale, zeroPoint, expectedReal);
            yield return new(CKernel.SoftmaxCrossEntropyDequantize, $"n {length} scale {scale} zp {zeroPoint}", [length, zeroPoint], [scale],
                [Bytes(q)], [Bytes(real)], [Bytes(expectedReal)]);

            var tied = KernelRandom.Int8(random, length).Select(v => (sbyte)(v / 32)).ToArray(); // many ties: the first wins
            var floats = tied.Select(v => (float)v).ToArray();
            yield return new(CKernel.SoftmaxCrossEntropyPredict, $"n {length}", [length], [], [Bytes(floats)], [Bytes(Poison<int>(1))],
                [Bytes(new[] { SoftmaxCrossEntropy.Predict(floats) })]);
        }
    }
}
