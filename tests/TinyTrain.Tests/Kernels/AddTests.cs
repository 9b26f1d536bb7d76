using TinyTrain.Kernels;

namespace TinyTrain.Tests.Kernels;

public class AddTests
{
    private static readonly sbyte[] Ties = [3, 5, -3, -5, 1];
    private static readonly sbyte[] Zeros = [0, 0, 0, 0, 0];

    [Fact]
    public void Float_RoundsTiesToEven()
    {
        // (a * 0.5 + 0) / 1: 1.5, 2.5, -1.5, -2.5, 0.5 -> 2, 2, -2, -2, 0.
        var p = Add.CreateFloat(5, 0.5, 0, 1.0, 0, 1.0, 0, -128, 127);
        var output = new sbyte[5];
        KernelSet.Reference.AddForward(p, Ties, Zeros, output);
        Assert.Equal(new sbyte[] { 2, 2, -2, -2, 0 }, output);
    }

    [Fact]
    public void FixedPoint_RoundsTiesAwayFromZero()
    {
        // Equal input scales and an output scale of 2: y = (a + b) / 2 through TFLite's shifts and multipliers.
        var p = Add.CreateFixedPoint(5, 1.0, 0, 1.0, 0, 2.0, 0, -128, 127);
        Assert.Equal((20, 1 << 30, 0, 1 << 30, 0), (p.LeftShift, p.MultiplierA, p.ShiftA, p.MultiplierB, p.ShiftB));
        Assert.Equal((1 << 30, -19), (p.MultiplierOut, p.ShiftOut)); // 2 / (2^20 * 2) = 2^-20
        var output = new sbyte[5];
        KernelSet.Reference.AddForward(p, Ties, Zeros, output);
        Assert.Equal(new sbyte[] { 2, 3, -2, -3, 1 }, output);
    }

    [Fact]
    public void FixedPoint_UnequalScalesAndZeroPoints_HandComputed()
    {
        // a: scale 0.5 zp 10, b: scale 0.25 zp -20, out: scale 0.5 zp 5. Real: (a - 10) * 0.5 + (b + 20) * 0.25.
        // a = 30, b = 0: 10 + 5 = 15 -> / 0.5 = 30 -> + 5 = 35.  a = 11, b = -19: 0.5 + 0.25 = 0.75 -> 1.5 -> 2 + 5 = 7.
        var p = Add.CreateFixedPoint(2, 0.5, 10, 0.25, -20, 0.5, 5, -128, 127);
        var output = new sbyte[2];
        KernelSet.Reference.AddForward(p, [30, 11], [0, -19], output);
        Assert.Equal(new sbyte[] { 35, 7 }, output);
    }

    [Fact]
    public void BothModes_SaturateAndApplyTheActivationRange()
    {
        var output = new sbyte[2];
        KernelSet.Reference.AddForward(Add.CreateFloat(2, 1.0, 0, 1.0, 0, 1.0, 0, -128, 127), [127, -128], [127, -128], output);
        Assert.Equal(new sbyte[] { 127, -128 }, output);
        KernelSet.Reference.AddForward(Add.CreateFixedPoint(2, 1.0, 0, 1.0, 0, 1.0, 0, -128, 127), [100, -100], [100, -100], output);
        Assert.Equal(new sbyte[] { 127, -128 }, output);
        KernelSet.Reference.AddForward(Add.CreateFloat(2, 1.0, 0, 1.0, 0, 1.0, -128, -128, -28), [1, 60], [2, 60], output);
        Assert.Equal(new sbyte[] { -125, -28 }, output);
    }

    [Fact]
    public void Float_IsWithinOneLsbOfDoublePrecision()
    {
        var random = new Random(8);
        for (int trial = 0; trial < 200; trial++)
        {
            double scaleA = 0.01 + random.NextDouble() * 0.1, scaleB = 0.01 + random.NextDouble() * 0.1;
            double scaleOut = 0.02 + random.NextDouble() * 0.2;
            int zeroA = KernelRandom.ZeroPoint(random), zeroB = KernelRandom.ZeroPoint(random), zeroOut = KernelRandom.ZeroPoint(random);
            var p = Add.CreateFloat(64, scaleA, zeroA, scaleB, zeroB, scaleOut, zeroOut, -128, 127);
            var a = KernelRandom.Int8(random, 64);
            var b = KernelRandom.Int8(random, 64);
            var output = new sbyte[64];
            KernelSet.Fast.AddForward(p, a, b, output);
            for (int i = 0; i < 64; i++)
            {
                double ideal = Math.Clamp(Math.Round(((a[i] - zeroA) * scaleA + (b[i] - zeroB) * scaleB) / scaleOut) + zeroOut, -128, 127);
                Assert.True(Math.Abs(output[i] - ideal) <= 1, $"{output[i]} vs {ideal}");
            }
        }
    }

    [Fact]
    public void Vectorized_MatchesReference_ForEveryLengthUpTo257()
    {
        var random = new Random(9);
        for (int length = 0; length <= 257; length++)
        {
            foreach (var mode in new[] { RequantMode.Float, RequantMode.FixedPoint })
            {
                // Power-of-two scales now and then make exact ties.
                double scaleA = random.Next(3) == 0 ? 0.5 : 0.005 + random.NextDouble() * 0.05;
                double scaleB = random.Next(3) == 0 ? 0.25 : 0.005 + random.NextDouble() * 0.05;
                double scaleOut = random.Next(3) == 0 ? 1.0 : 0.01 + random.NextDouble() * 0.1;
                int zeroOut = KernelRandom.ZeroPoint(random);
                var (min, max) = KernelRandom.Activation(random, zeroOut);
                var p = mode == RequantMode.Float
                    ? Add.CreateFloat(length, scaleA, KernelRandom.ZeroPoint(random), scaleB, KernelRandom.ZeroPoint(random), scaleOut, zeroOut, min, max)
                    : Add.CreateFixedPoint(length, scaleA, KernelRandom.ZeroPoint(random), scaleB, KernelRandom.ZeroPoint(random), scaleOut, zeroOut, min, max);
                var a = KernelRandom.Int8(random, length);
                var b = KernelRandom.Int8(random, length);
                KernelSets.AssertAgree(set =>
                {
                    var output = new sbyte[length];
                    set.AddForward(p, a, b, output);
                    return [output];
                }, p);
            }
        }
    }

    [Fact]
    public void Validation_RejectsWrongLengthsAndScales()
    {
        var p = Add.CreateFloat(3, 1.0, 0, 1.0, 0, 1.0, 0, -128, 127);
        Assert.Throws<ArgumentException>(() => KernelSet.Fast.AddForward(p, new sbyte[2], new sbyte[3], new sbyte[3]));
        Assert.Throws<ArgumentException>(() => KernelSet.Fast.AddForward(p, new sbyte[3], new sbyte[3], new sbyte[4]));
        Assert.Throws<ArgumentException>(() => KernelSet.Fast.AddForward(p with { ScaleOut = 0 }, new sbyte[3], new sbyte[3], new sbyte[3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Add.CreateFixedPoint(3, 1.0, 0, 1.0, 0, 1e-7, 0, -128, 127));
    }
}
