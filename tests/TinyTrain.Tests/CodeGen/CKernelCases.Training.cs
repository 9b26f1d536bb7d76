using TinyTrain.Kernels;
using TinyTrain.Tests.Kernels;
using static TinyTrain.Tests.CodeGen.CKernelCase;

namespace TinyTrain.Tests.CodeGen;

internal static partial class CKernelCases
{
    /// <summary>Gradients for updates: mostly moderate, with NaN, infinities and steps that land on exact .5 ties.</summary>
    private static float[] UpdateGradients(Random random, int length)
    {
        var values = Floats(random, length, 2f);
        for (int i = 0; i < length; i++)
        {
            values[i] = random.Next(30) switch
            {
                0 => float.NaN,
                1 => random.Next(2) == 0 ? float.PositiveInfinity : float.NegativeInfinity,
                2 or 3 or 4 => (random.Next(-8, 8) + 0.5f) * Pick(random, 1f, 4f, 1024f),
                _ => values[i],
            };
        }

        return values;
    }

    /// <summary>int32 biases near zero, large, and at the int32 extremes.</summary>
    private static int[] Biases(Random random, int length) =>
        [.. Enumerable.Range(0, length).Select(_ => random.Next(4) switch
        {
            0 => Pick(random, int.MinValue, int.MinValue + 1, int.MaxValue - 1, int.MaxValue),
            1 => random.Next(-(1 << 30), 1 << 30),
            _ => random.Next(-5000, 5000),
        })];

    /// <summary>Master values to round: ties, NaN, infinities, the int32 and int8 edges.</summary>
    private static float[] MasterValues(Random random, int length) =>
        [.. Enumerable.Range(0, length).Select(_ => random.Next(8) switch
        {
            0 => Pick(random, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 2147483648f, -2147483648f, 2147483520f, -2147483904f),
            1 => random.Next(-300, 300) + 0.5f,
            2 => Pick(random, 126.5f, 127.5f, -127.5f, -128.5f, -0f),
            3 => (float)(random.NextDouble() - 0.5) * 1e10f,
            _ => (float)(random.NextDouble() - 0.5) * 400f,
        })];

    /// <summary>The master policy's rounding of whole tensors (the slice updates round one element at a time through it).</summary>
    public static IEnumerable<CKernelCase> SgdRounding(int seed, int count)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            int length = random.Next(1, 100);
            var master = MasterValues(random, length);
            var rounded8 = Poison<sbyte>(length);
            var expected8 = (sbyte[])rounded8.Clone();
            Sgd.RoundMasterToInt8(master, expected8);
            yield return new(CKernel.SgdRoundMasterToInt8, $"n {length}", [length], [], [Bytes(master)], [Bytes(rounded8)], [Bytes(expected8)]);
            var rounded32 = Poison<int>(length);
            var expected32 = (int[])rounded32.Clone();
            Sgd.RoundMasterToInt32(master, expected32);
            yield return new(CKernel.SgdRoundMasterToInt32, $"n {length}", [length], [], [Bytes(master)], [Bytes(rounded32)], [Bytes(expected32)]);
        }
    }

    /// <summary>An update case: output 0 is the parameter, output 1 the momentum when there is one.</summary>
    private static CKernelCase Update(CKernel kernel, string description, int[] ints, float lr, float beta, byte[][] inputs,
        byte[] parameter, byte[] expectedParameter, float[] velocity, float[] expectedVelocity) =>
        velocity.Length == 0
            ? new(kernel, description, ints, [lr, beta], inputs, [parameter], [expectedParameter])
            : new(kernel, description, ints, [lr, beta], inputs, [parameter, Bytes(velocity)], [expectedParameter, Bytes(expectedVelocity)]);

    /// <summary>A slice layout and its sizes: a conv filter (OHWI), a depthwise filter, a fully connected filter or a bias.</summary>
    private static (SliceLayout Layout, int GradLength, int ParameterLength, int QasLength, string Kind) Slice(Random random)
    {
        int outputC = Pick(random, 1, 3, 5), taps = Pick(random, 1, 9, 25), inner = Pick(random, 1, 3, 8, 17);
        int[] channels = Channels(random, inner);
        return random.Next(4) switch
        {
            0 => (new SliceLayout(inner, channels, taps * channels.Length), outputC * taps * channels.Length, outputC * taps * inner, outputC, "conv"),
            1 => (new SliceLayout(inner, channels, 0), taps * channels.Length, taps * inner, inner, "depthwise"),
            2 => (new SliceLayout(inner, channels, channels.Length), outputC * channels.Length, outputC * inner, outputC, "fully connected"),
            _ => (SliceLayout.Vector, inner, inner, inner, "bias"),
        };
    }

    /// <summary>The slice SGD kernels on every kind of layout, with and without velocity, and the master policy's rounding.</summary>
    public static IEnumerable<CKernelCase> SgdSlices(int seed, int count)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            var (layout, gradLength, parameterLength, qasLength, kind) = Slice(random);
            var grad = UpdateGradients(random, gradLength);
            var qas = Floats(random, qasLength, 4f).Select(MathF.Abs).ToArray();
            float lr = Pick(random, 1f, 0.25f, (float)random.NextDouble());
            float beta = Pick(random, 0.9f, (float)random.NextDouble());
            bool hasVelocity = random.Next(2) == 0;
            var velocity = hasVelocity ? Floats(random, gradLength) : [];
            int[] ints = [gradLength, layout.Inner, layout.QasStride, hasVelocity ? 1 : 0];
            string description = $"{kind} inner {layout.Inner} channels [{string.Join(',', layout.Channels)}] qas stride {layout.QasStride} grad {gradLength} lr {lr} velocity {hasVelocity}";
            byte[][] inputs = [Bytes(grad), Bytes(qas), Bytes(layout.Channels)];

            var weights = KernelRandom.Int8(random, parameterLength).Select(w => (sbyte)Math.Max((int)w, -127)).ToArray();
            var (expectedWeights, expectedVelocity) = ((sbyte[])weights.Clone(), (float[])velocity.Clone());
            SgdSlice.UpdateInt8(expectedWeights, grad, qas, layout, lr, expectedVelocity, beta);
            yield return Update(CKernel.SgdSliceUpdateInt8, description, ints, lr, beta, inputs, Bytes(weights), Bytes(expectedWeights), velocity, expectedVelocity);

            var bias = Biases(random, parameterLength);
            var expectedBias = (int[])bias.Clone();
            expectedVelocity = (float[])velocity.Clone();
            SgdSlice.UpdateInt32(expectedBias, grad, qas, layout, lr, expectedVelocity, beta);
            yield return Update(CKernel.SgdSliceUpdateInt32, description, ints, lr, beta, inputs, Bytes(bias), Bytes(expectedBias), velocity, expectedVelocity);

            var master = MasterValues(random, parameterLength);
            var expectedMaster = (float[])master.Clone();
            expectedVelocity = (float[])velocity.Clone();
            SgdSlice.UpdateMaster(expectedMaster, grad, qas, layout, lr, expectedVelocity, beta);
            yield return Update(CKernel.SgdSliceUpdateMaster, description, ints, lr, beta, inputs, Bytes(master), Bytes(expectedMaster), velocity, expectedVelocity);

            expectedMaster = (float[])master.Clone();
            expectedVelocity = (float[])velocity.Clone();
            SgdSlice.UpdateFloat(expectedMaster, grad, qas, layout, lr, expectedVelocity, beta);
            yield return Update(CKernel.SgdSliceUpdateFloat, description, ints, lr, beta, inputs, Bytes(master), Bytes(expectedMaster), velocity, expectedVelocity);

            // Rounding touches only the sliced positions: the others keep their (random) values.
            var rounded8 = KernelRandom.Int8(random, parameterLength);
            var expected8 = (sbyte[])rounded8.Clone();
            SgdSlice.RoundToInt8(master, expected8, layout, gradLength);
            yield return new(CKernel.SgdSliceRoundToInt8, description, ints, [], [Bytes(master), [], Bytes(layout.Channels)], [Bytes(rounded8)], [Bytes(expected8)]);
            var rounded32 = Biases(random, parameterLength);
            var expected32 = (int[])rounded32.Clone();
            SgdSlice.RoundToInt32(master, expected32, layout, gradLength);
            yield return new(CKernel.SgdSliceRoundToInt32, description, ints, [], [Bytes(master), [], Bytes(layout.Channels)], [Bytes(rounded32)], [Bytes(expected32)]);
        }
    }

    /// <summary>Filters rebuilt from a frozen copy and a trained slice of some input channels.</summary>
    public static IEnumerable<CKernelCase> SliceMerges(int seed, int count)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            int rows = random.Next(1, 20), inner = random.Next(1, 40);
            int[] channels = [.. Enumerable.Range(0, inner).Where(_ => random.Next(3) == 0).DefaultIfEmpty(random.Next(inner))];
            var frozen = KernelRandom.Int8(random, rows * inner);
            var trained = KernelRandom.Int8(random, rows * channels.Length);
            var merged = Poison<sbyte>(rows * inner);
            var expected = (sbyte[])merged.Clone();
            TinyTrain.Kernels.SliceMerge.Merge(frozen, trained, channels, expected);
            yield return new(CKernel.SliceMerge, $"{rows} rows of {inner}, channels [{string.Join(',', channels)}]", [rows, inner], [],
                [Bytes(frozen), Bytes(trained), Bytes(channels)], [Bytes(merged)], [Bytes(expected)]);
        }
    }

    /// <summary>Interesting int32 operands: the extremes, around zero, powers of two and random values.</summary>
    private static int Operand(Random random) => random.Next(6) switch
    {
        0 => Pick(random, int.MinValue, int.MinValue + 1, int.MaxValue, int.MaxValue - 1, 0, 1, -1),
        1 => (random.Next(2) == 0 ? 1 : -1) * (1 << random.Next(31)),
        2 => random.Next(-1000, 1000),
        _ => random.Next(int.MinValue, int.MaxValue),
    };

    /// <summary>Every FixedPoint primitive on operands that include its edges and shift counts beyond TFLite's range.</summary>
    public static IEnumerable<CKernelCase> FixedPointPrimitives(int seed, int count)
    {
        var random = new Random(seed);
        (string Name, Func<int> X, Func<int> Y, Func<int> Z, Func<int, int, int, (int, int)> Op)[] ops =
        [
            ("SaturatingRoundingDoublingHighMul", () => Operand(random), () => Operand(random), () => 0,
                (x, y, _) => (FixedPoint.SaturatingRoundingDoublingHighMul(x, y), 0)),
            ("RoundingDivideByPOT", () => Operand(random), () => random.Next(-3, 70), () => 0,
                (x, y, _) => (FixedPoint.RoundingDivideByPOT(x, y), 0)),
            ("MultiplyByQuantizedMultiplier", () => Operand(random), () => Operand(random), () => random.Next(-40, 40),
                (x, y, z) => (FixedPoint.MultiplyByQuantizedMultiplier(x, y, z), 0)),
            ("MultiplyByQuantizedMultiplierSmallerThanOneExp", () => Operand(random), () => Operand(random), () => random.Next(-35, 1),
                (x, y, z) => (FixedPoint.MultiplyByQuantizedMultiplierSmallerThanOneExp(x, y, z), 0)),
            ("MultiplyByQuantizedMultiplierGreaterThanOne", () => Operand(random), () => Operand(random), () => random.Next(0, 35),
                (x, y, z) => (FixedPoint.MultiplyByQuantizedMultiplierGreaterThanOne(x, y, z), 0)),
            ("SaturatingRoundingMultiplyByPOT", () => Operand(random), () => random.Next(-40, 40), () => 0,
                (x, y, _) => (FixedPoint.SaturatingRoundingMultiplyByPOT(x, y), 0)),
            ("RoundingHalfSum", () => Operand(random), () => Operand(random), () => 0,
                (x, y, _) => (FixedPoint.RoundingHalfSum(x, y), 0)),
            ("CountLeadingZeros", () => Operand(random), () => 0, () => 0,
                (x, _, _) => (FixedPoint.CountLeadingZeros((uint)x), 0)),
            ("ExpOnIntervalBetweenNegativeOneQuarterAnd0Excl", () => -random.Next(1, (1 << 29) + 1), () => 0, () => 0,
                (x, _, _) => (FixedPoint.ExpOnIntervalBetweenNegativeOneQuarterAnd0Excl(x), 0)),
            ("ExpOnNegativeValues", () => random.Next(4) == 0 ? Pick(random, 0, int.MinValue, -1) : -random.Next(0, int.MaxValue), () => random.Next(0, 13), () => 0,
                (x, y, _) => (FixedPoint.ExpOnNegativeValues(x, y), 0)),
            ("OneOverOnePlusXForXIn0To1", () => random.Next(4) == 0 ? Pick(random, 0, int.MaxValue, 1) : random.Next(0, int.MaxValue), () => 0, () => 0,
                (x, _, _) => (FixedPoint.OneOverOnePlusXForXIn0To1(x), 0)),
            ("GetReciprocal", () => random.Next(4) == 0 ? Operand(random) : random.Next(1, int.MaxValue), () => random.Next(0, 32), () => 0,
                (x, y, _) => (FixedPoint.GetReciprocal(x, y, out int bits), bits)),
        ];
        for (int op = 0; op < ops.Length; op++)
        {
            var (name, nextX, nextY, nextZ, apply) = ops[op];
            var (x, y, z) = (new int[count], new int[count], new int[count]);
            var (result, second) = (new int[count], new int[count]);
            for (int i = 0; i < count; i++)
            {
                (x[i], y[i], z[i]) = (nextX(), nextY(), nextZ());
                (result[i], second[i]) = apply(x[i], y[i], z[i]);
            }

            yield return new(CKernel.FixedPoint, name, [op], [], [Bytes(x), Bytes(y), Bytes(z)],
                [Bytes(Poison<int>(count)), Bytes(Poison<int>(count))], [Bytes(result), Bytes(second)]);
        }
    }
}
