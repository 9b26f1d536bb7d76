using TinyTrain.Kernels;

namespace TinyTrain.Tests.Kernels;

public class FixedPointTests
{
    [Theory]
    [InlineData(100, 1 << 30, 50)] // 100 * 0.5
    [InlineData(3, 1 << 30, 2)] // 1.5 rounds up
    [InlineData(-3, 1 << 30, -1)] // -1.5 rounds toward +infinity (VQRDMULH)
    [InlineData(-5, 1 << 30, -2)] // -2.5 rounds toward +infinity
    [InlineData(int.MinValue, int.MinValue, int.MaxValue)] // the one saturating case
    [InlineData(int.MaxValue, int.MaxValue, int.MaxValue - 1)]
    [InlineData(int.MinValue, int.MaxValue, -int.MaxValue)]
    public void SaturatingRoundingDoublingHighMul_KnownValues(int a, int b, int expected) =>
        Assert.Equal(expected, FixedPoint.SaturatingRoundingDoublingHighMul(a, b));

    [Fact]
    public void BranchFreeForms_MatchGemmlowpsLiteralFormulas()
    {
        // gemmlowp: nudge by sign, then a truncating division; RoundingDivideByPOT with masks and a threshold.
        static int HighMul(int a, int b)
        {
            if (a == int.MinValue && b == int.MinValue)
            {
                return int.MaxValue;
            }

            long product = (long)a * b;
            long nudge = product >= 0 ? 1 << 30 : 1 - (1 << 30);
            return (int)((product + nudge) / (1L << 31));
        }

        static int DivideByPot(int x, int exponent)
        {
            int mask = (int)((1L << exponent) - 1);
            int threshold = (mask >> 1) + (x < 0 ? 1 : 0);
            return (x >> exponent) + ((x & mask) > threshold ? 1 : 0);
        }

        var random = new Random(17);
        int[] edges = [int.MinValue, int.MinValue + 1, -(1 << 30), -3, -1, 0, 1, 3, 1 << 30, int.MaxValue - 1, int.MaxValue];
        for (int trial = 0; trial < 200_000; trial++)
        {
            int a = trial < 121 ? edges[trial % 11] : random.Next(int.MinValue, int.MaxValue);
            int b = trial < 121 ? edges[trial / 11] : random.Next(3) == 0 ? random.Next(-8, 8) : random.Next(int.MinValue, int.MaxValue);
            Assert.Equal(HighMul(a, b), FixedPoint.SaturatingRoundingDoublingHighMul(a, b));
            int exponent = random.Next(0, 32);
            Assert.Equal(DivideByPot(a, exponent), FixedPoint.RoundingDivideByPOT(a, exponent));
        }
    }

    [Theory]
    [InlineData(5, 1, 3)] // 2.5 -> 3, ties away from zero
    [InlineData(-5, 1, -3)]
    [InlineData(7, 2, 2)] // 1.75
    [InlineData(-6, 2, -2)] // -1.5 -> -2
    [InlineData(6, 2, 2)] // 1.5 -> 2
    [InlineData(9, 0, 9)]
    [InlineData(int.MinValue, 31, -1)]
    [InlineData(int.MaxValue, 31, 1)]
    public void RoundingDivideByPOT_KnownValues(int x, int exponent, int expected) =>
        Assert.Equal(expected, FixedPoint.RoundingDivideByPOT(x, exponent));

    [Theory]
    [InlineData(3, 1 << 30, -1, 1)] // 1.5 -> 2 (high mul), then 2 / 2 = 1: two roundings, not round(0.75)
    [InlineData(100, 1 << 30, 1, 100)] // 100 * 0.5 * 2
    [InlineData(-100, 1 << 30, -2, -13)] // -50 / 4 = -12.5 -> -13
    [InlineData(1000, 1518500250, -3, 88)] // 1000 * sqrt(1/2) / 8 = 88.39
    [InlineData(7, 1 << 30, 3, 28)] // left shift first: 56 * 0.5
    [InlineData(12345, 0, 0, 0)]
    public void MultiplyByQuantizedMultiplier_KnownValues(int x, int multiplier, int shift, int expected) =>
        Assert.Equal(expected, FixedPoint.MultiplyByQuantizedMultiplier(x, multiplier, shift));

    [Fact]
    public void MultiplyByQuantizedMultiplier_TracksRealProduct()
    {
        var random = new Random(11);
        for (int trial = 0; trial < 2000; trial++)
        {
            double real = Math.Exp(random.NextDouble() * Math.Log(4 / 1e-4)) * 1e-4;
            int x = random.Next(-2_000_000, 2_000_000);
            var (multiplier, shift) = QuantizedMultiplier.QuantizeMultiplier(real);
            double exact = x * (multiplier * Math.Pow(2, shift - 31));
            int actual = FixedPoint.MultiplyByQuantizedMultiplier(x, multiplier, shift);
            Assert.True(Math.Abs(actual - exact) <= 1.0, $"x {x} m {real}: {actual} vs {exact}");
        }
    }

    [Fact]
    public void SmallerThanOneExpAndGreaterThanOne_MatchGeneralForm()
    {
        var random = new Random(5);
        for (int trial = 0; trial < 1000; trial++)
        {
            int x = random.Next(-1 << 20, 1 << 20);
            int multiplier = random.Next(1 << 30, int.MaxValue);
            int rightShift = -random.Next(0, 31);
            int leftShift = random.Next(0, 10);
            Assert.Equal(
                FixedPoint.MultiplyByQuantizedMultiplier(x, multiplier, rightShift),
                FixedPoint.MultiplyByQuantizedMultiplierSmallerThanOneExp(x, multiplier, rightShift));
            Assert.Equal(
                FixedPoint.MultiplyByQuantizedMultiplier(x, multiplier, leftShift),
                FixedPoint.MultiplyByQuantizedMultiplierGreaterThanOne(x, multiplier, leftShift));
        }
    }

    [Theory]
    [InlineData(0.5, 1 << 30, 0)]
    [InlineData(1.0, 1 << 30, 1)]
    [InlineData(0.25, 1 << 30, -1)]
    [InlineData(-0.5, -(1 << 30), 0)]
    [InlineData(0.75, 1610612736, 0)]
    [InlineData(0.0, 0, 0)]
    [InlineData(1.0 - 1e-15, 1 << 30, 1)] // rounds to 2^31: halved, shift bumped
    [InlineData(4.656612873077393e-10, 1 << 30, -30)] // 2^-31
    [InlineData(2.3283064365386963e-10, 1 << 30, -31)] // 2^-32
    [InlineData(1.1641532182693481e-10, 0, 0)] // 2^-33 flushes to zero
    public void QuantizeMultiplier_KnownValues(double real, int expectedMultiplier, int expectedShift) =>
        Assert.Equal((expectedMultiplier, expectedShift), QuantizedMultiplier.QuantizeMultiplier(real));

    [Fact]
    public void QuantizeMultiplierVariants_CheckTheirRanges()
    {
        Assert.Equal((1 << 30, 0), QuantizedMultiplier.QuantizeMultiplierSmallerThanOneExp(0.5));
        Assert.Equal((1 << 30, 2), QuantizedMultiplier.QuantizeMultiplierGreaterThanOne(2.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => QuantizedMultiplier.QuantizeMultiplierSmallerThanOneExp(1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => QuantizedMultiplier.QuantizeMultiplierSmallerThanOneExp(1.0 - 1e-15));
        Assert.Throws<ArgumentOutOfRangeException>(() => QuantizedMultiplier.QuantizeMultiplierGreaterThanOne(1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => QuantizedMultiplier.QuantizeMultiplier(double.NaN));
    }

    [Fact]
    public void ExpOnNegativeValues_ApproximatesExp()
    {
        Assert.Equal(int.MaxValue, FixedPoint.ExpOnNegativeValues(0, 5));
        for (double x = -31.9; x < 0; x += 0.0371)
        {
            // gemmlowp evaluates a 4th-order Taylor series on [-1/4, 0): error up to (1/8)^5 / 120 = 2.5e-7.
            int raw = (int)Math.Round(x * (1 << 26)); // Q5.26
            double actual = FixedPoint.ExpOnNegativeValues(raw, 5) / 2147483648.0;
            Assert.True(Math.Abs(actual - Math.Exp(raw / (double)(1 << 26))) < 3e-7, $"exp({x}) = {actual}");
        }
    }

    [Fact]
    public void ExpOnNegativeValues_ClampsBelowMinus32WhenTheFormatAllowsIt()
    {
        int minusForty = -40 << 23; // Q8.23
        Assert.Equal(0, FixedPoint.ExpOnNegativeValues(minusForty, 8));
        double minusOne = FixedPoint.ExpOnNegativeValues(-1 << 23, 8) / 2147483648.0;
        Assert.True(Math.Abs(minusOne - Math.Exp(-1)) < 1e-6, $"exp(-1) = {minusOne}");
    }

    [Fact]
    public void OneOverOnePlusX_ApproximatesReciprocal()
    {
        for (double x = 0; x < 1; x += 0.0173)
        {
            int raw = (int)(x * 2147483648.0);
            double actual = FixedPoint.OneOverOnePlusXForXIn0To1(raw) / 2147483648.0;
            Assert.True(Math.Abs(actual - 1 / (1 + raw / 2147483648.0)) < 1e-8, $"1/(1+{x}) = {actual}");
        }
    }

    [Fact]
    public void GetReciprocal_ScalesByThePowerOfTwoAboveOne()
    {
        // 3.0 in Q12.19 = 1.5 * 2^1: the reciprocal is 1/1.5 (Q0.31) with one bit over unit, i.e. 1/3.
        int three = 3 << 19;
        int reciprocal = FixedPoint.GetReciprocal(three, 12, out int bitsOverUnit);
        Assert.Equal(1, bitsOverUnit);
        Assert.InRange(reciprocal / 2147483648.0, 0.6666666, 0.6666668);
    }

    [Theory]
    [InlineData(1, 2, 2)] // 1.5 -> 2
    [InlineData(-1, -2, -2)] // -1.5 -> -2
    [InlineData(int.MaxValue, int.MaxValue, int.MaxValue)]
    [InlineData(3, 4, 4)]
    public void RoundingHalfSum_RoundsAwayFromZero(int a, int b, int expected) =>
        Assert.Equal(expected, FixedPoint.RoundingHalfSum(a, b));

    [Theory]
    [InlineData(1 << 20, 5, 1 << 25)]
    [InlineData(3, 2, 12)]
    [InlineData(-(1 << 30), 1, int.MinValue)]
    [InlineData(-(1 << 30) - 1, 1, int.MinValue)]
    [InlineData(1 << 30, 1, int.MaxValue)]
    [InlineData(10, -2, 3)] // 2.5 -> 3
    public void SaturatingRoundingMultiplyByPOT_SaturatesAndRounds(int x, int exponent, int expected) =>
        Assert.Equal(expected, FixedPoint.SaturatingRoundingMultiplyByPOT(x, exponent));
}
