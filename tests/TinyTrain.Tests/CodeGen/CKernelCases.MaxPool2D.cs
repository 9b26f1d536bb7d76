using TinyTrain.Kernels;
using TinyTrain.Tests.Kernels;
using static TinyTrain.Tests.CodeGen.CKernelCase;

namespace TinyTrain.Tests.CodeGen;

internal static partial class CKernelCases
{
    /// <summary>
    /// The max pool's int8 and fp32 forwards and backwards, on the average pool's geometries. Half the inputs take a few
    /// neighbouring values only, often around ActMin, so ties (the first position in scan order wins) and maxima the
    /// clamp changes (no gradient) are common; fp32 inputs also hold +0/-0 ties, NaNs and infinities.
    /// </summary>
    public static IEnumerable<CKernelCase> MaxPooling(int seed, int count)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            var p = PoolParams(random);
            int inputLength = p.InputH * p.InputW * p.Channels, outputLength = p.OutputH * p.OutputW * p.Channels;
            var input = random.Next(2) == 0 ? KernelRandom.Int8(random, inputLength) : FewInt8Values(random, inputLength, p.ActMin);
            var output = Poison<sbyte>(outputLength);
            var expected = (sbyte[])output.Clone();
            MaxPool2D.Forward(p, input, expected);
            yield return new(CKernel.MaxPool2DForward, Describe(p), Ints(p), [], [Bytes(input)], [Bytes(output)], [Bytes(expected)]);

            var outputGrad = Floats(random, outputLength);
            var inputGrad = Poison<float>(inputLength);
            var expectedGrad = (float[])inputGrad.Clone();
            MaxPool2D.Backward(p, input, outputGrad, expectedGrad);
            yield return new(CKernel.MaxPool2DBackward, Describe(p), Ints(p), [], [Bytes(input), Bytes(outputGrad)], [Bytes(inputGrad)], [Bytes(expectedGrad)]);

            var floatInput = random.Next(2) == 0 ? Floats(random, inputLength, 8f) : FewFloatValues(random, inputLength);
            var (min, max) = FloatRange(random);
            string description = $"{Describe(p)} clamp [{min},{max}]";
            var floatOutput = Poison<float>(outputLength);
            var expectedFloat = (float[])floatOutput.Clone();
            MaxPool2D.ForwardFloat(p, floatInput, expectedFloat, min, max);
            yield return new(CKernel.MaxPool2DForwardFloat, description, Ints(p), [min, max], [Bytes(floatInput)], [Bytes(floatOutput)], [Bytes(expectedFloat)]);

            var floatGrad = Poison<float>(inputLength);
            var expectedFloatGrad = (float[])floatGrad.Clone();
            MaxPool2D.BackwardFloat(p, floatInput, outputGrad, expectedFloatGrad, min, max);
            yield return new(CKernel.MaxPool2DBackwardFloat, description, Ints(p), [min, max], [Bytes(floatInput), Bytes(outputGrad)],
                [Bytes(floatGrad)], [Bytes(expectedFloatGrad)]);
        }
    }

    /// <summary>int8 values within 2 of a centre (half the time the clamp's lower bound).</summary>
    private static sbyte[] FewInt8Values(Random random, int length, int actMin)
    {
        int centre = random.Next(2) == 0 ? actMin : random.Next(-128, 128);
        var values = new sbyte[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (sbyte)Math.Clamp(centre + random.Next(-2, 3), sbyte.MinValue, sbyte.MaxValue);
        }

        return values;
    }

    /// <summary>Small whole numbers and signed zeros, with a NaN or an infinity now and then.</summary>
    private static float[] FewFloatValues(Random random, int length)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = random.Next(24) switch
            {
                0 => float.NaN,
                1 => float.PositiveInfinity,
                2 => float.NegativeInfinity,
                3 or 4 => -0f,
                _ => random.Next(-2, 8),
            };
        }

        return values;
    }
}
