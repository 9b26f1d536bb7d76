namespace TinyTrain.Kernels;

/// <summary>
/// gemmlowp's fixed-point exp and reciprocal, as TFLite's int8 softmax uses them. Values are raw int32 in a
/// Q(m).(31-m) format; "Q0" means [-1, 1). The polynomial constants are gemmlowp's raw Q0.31 / Q2.29 values.
/// </summary>
public static partial class FixedPoint
{
    private const int OneQ0 = int.MaxValue; // gemmlowp FixedPoint<int32, 0>::One()

    /// <summary>exp(a) for a in [-1/4, 0), a and result in Q0.31 (Taylor expansion around -1/8).</summary>
    public static int ExpOnIntervalBetweenNegativeOneQuarterAnd0Excl(int a)
    {
        const int constantTerm = 1895147668; // exp(-1/8)
        const int constantOneThird = 715827883;
        int x = a + (1 << 28); // a + 1/8
        int x2 = SaturatingRoundingDoublingHighMul(x, x);
        int x3 = SaturatingRoundingDoublingHighMul(x2, x);
        int x4 = SaturatingRoundingDoublingHighMul(x2, x2);
        int x4Over4 = RoundingDivideByPOT(x4, 2);
        int polynomial = RoundingDivideByPOT(
            SaturatingRoundingDoublingHighMul(x4Over4 + x3, constantOneThird) + x2, 1);
        return constantTerm + SaturatingRoundingDoublingHighMul(constantTerm, x + polynomial);
    }

    /// <summary>exp(a) for a &lt;= 0; a in Q(integerBits), result in Q0.31 (gemmlowp exp_on_negative_values).</summary>
    public static int ExpOnNegativeValues(int a, int integerBits)
    {
        int fractionalBits = 31 - integerBits;
        int oneQuarter = 1 << (fractionalBits - 2);
        int mask = oneQuarter - 1;
        int aModQuarterMinusOneQuarter = (a & mask) - oneQuarter;
        int result = ExpOnIntervalBetweenNegativeOneQuarterAnd0Excl(Rescale(aModQuarterMinusOneQuarter, integerBits, 0));
        int remainder = aModQuarterMinusOneQuarter - a;

        // Barrel shifter: multiply by exp(-2^k) for each bit k of the integer part of -a.
        result = BarrelStep(result, remainder, integerBits, fractionalBits, -2, 1672461947);
        result = BarrelStep(result, remainder, integerBits, fractionalBits, -1, 1302514674);
        result = BarrelStep(result, remainder, integerBits, fractionalBits, 0, 790015084);
        result = BarrelStep(result, remainder, integerBits, fractionalBits, 1, 290630308);
        result = BarrelStep(result, remainder, integerBits, fractionalBits, 2, 39332535);
        result = BarrelStep(result, remainder, integerBits, fractionalBits, 3, 720401);
        result = BarrelStep(result, remainder, integerBits, fractionalBits, 4, 242);

        if (integerBits > 5)
        {
            int clamp = -(1 << (36 - integerBits)); // -32 in Q(integerBits)
            if (a < clamp)
            {
                result = 0;
            }
        }

        return a == 0 ? OneQ0 : result;
    }

    private static int BarrelStep(int result, int remainder, int integerBits, int fractionalBits, int exponent, int multiplier)
    {
        if (integerBits <= exponent)
        {
            return result;
        }

        int bit = 1 << (fractionalBits + exponent);
        return (remainder & bit) != 0 ? SaturatingRoundingDoublingHighMul(result, multiplier) : result;
    }

    /// <summary>1 / (1 + a) for a in [0, 1), Q0.31 in and out (three Newton-Raphson steps in Q2.29).</summary>
    public static int OneOverOnePlusXForXIn0To1(int a)
    {
        const int constant48Over17 = 1515870810;
        const int constantNeg32Over17 = -1010580540;
        const int oneQ2 = 1 << 29;
        int halfDenominator = RoundingHalfSum(a, OneQ0);
        int x = constant48Over17 + SaturatingRoundingDoublingHighMul(halfDenominator, constantNeg32Over17);
        for (int iteration = 0; iteration < 3; iteration++)
        {
            int halfDenominatorTimesX = SaturatingRoundingDoublingHighMul(halfDenominator, x);
            int oneMinusHalfDenominatorTimesX = oneQ2 - halfDenominatorTimesX;
            // Q2 * Q2 = Q4, rescaled back to Q2.
            x += Rescale(SaturatingRoundingDoublingHighMul(x, oneMinusHalfDenominatorTimesX), 4, 2);
        }

        // x / 2 reinterpreted as Q1, then rescaled to Q0.
        return Rescale(x, 1, 0);
    }

    /// <summary>
    /// TFLite GetReciprocal: 1 / x for x in Q(xIntegerDigits), as a Q0.31 value scaled by 2^-numBitsOverUnit.
    /// </summary>
    public static int GetReciprocal(int x, int xIntegerDigits, out int numBitsOverUnit)
    {
        int headroomPlusOne = CountLeadingZeros((uint)x);
        numBitsOverUnit = xIntegerDigits - headroomPlusOne;
        int shiftedSumMinusOne = unchecked((int)(((uint)x << headroomPlusOne) - (1u << 31)));
        return OneOverOnePlusXForXIn0To1(shiftedSumMinusOne);
    }
}
