using System.Numerics;

namespace TinyTrain.Kernels;

/// <summary>
/// gemmlowp / TFLite integer helpers, bit-exact with TFLite's reference build (double rounding, i.e. not
/// TFLITE_SINGLE_ROUNDING). All arithmetic wraps like int32 where the C code relies on two's complement.
/// </summary>
public static partial class FixedPoint
{
    /// <summary>round(a * b / 2^31), ties toward +infinity (ARM VQRDMULH); MinValue * MinValue saturates.</summary>
    public static int SaturatingRoundingDoublingHighMul(int a, int b)
    {
        if (a == int.MinValue && b == int.MinValue)
        {
            return int.MaxValue;
        }

        // Branch-free form of gemmlowp's: nudge = ab >= 0 ? 2^30 : 1 - 2^30; (ab + nudge) / 2^31 truncating.
        // Requantisation feeds it random signs, where the branchy form mispredicts half the time.
        long product = (long)a * b;
        long negative = product >> 63; // 0 or -1
        long nudged = product + ((1L << 30) - (negative & ((1L << 31) - 1)));
        long towardZero = (nudged >> 63) & ((1L << 31) - 1); // add 2^31 - 1 before shifting a negative value
        return (int)((nudged + towardZero) >> 31);
    }

    /// <summary>x / 2^exponent rounded to nearest, ties away from zero. 0 &lt;= exponent &lt;= 31.</summary>
    public static int RoundingDivideByPOT(int x, int exponent)
    {
        int mask = (int)((1L << exponent) - 1);
        int remainder = x & mask;
        int threshold = (mask >> 1) + (int)((uint)x >> 31); // + 1 when x < 0
        // remainder > threshold, both in [0, 2^31): the sign bit of their difference.
        return (x >> exponent) + (int)((uint)(threshold - remainder) >> 31);
    }

    /// <summary>TFLite MultiplyByQuantizedMultiplier: x * multiplier * 2^shift / 2^31, two roundings.</summary>
    public static int MultiplyByQuantizedMultiplier(int x, int multiplier, int shift)
    {
        int leftShift = shift > 0 ? shift : 0;
        int rightShift = shift > 0 ? 0 : -shift;
        // x * (1 << leftShift) wraps in int32, as the C code does in practice.
        return RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(unchecked(x * (1 << leftShift)), multiplier), rightShift);
    }

    /// <summary>TFLite MultiplyByQuantizedMultiplierSmallerThanOneExp (leftShift &lt;= 0).</summary>
    public static int MultiplyByQuantizedMultiplierSmallerThanOneExp(int x, int multiplier, int leftShift) =>
        RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x, multiplier), -leftShift);

    /// <summary>TFLite MultiplyByQuantizedMultiplierGreaterThanOne (leftShift &gt;= 0).</summary>
    public static int MultiplyByQuantizedMultiplierGreaterThanOne(int x, int multiplier, int leftShift) =>
        SaturatingRoundingDoublingHighMul(unchecked(x * (1 << leftShift)), multiplier);

    /// <summary>
    /// x * 2^exponent: saturating for exponent &gt; 0, rounding (RoundingDivideByPOT) for exponent &lt; 0.
    /// gemmlowp's SaturatingRoundingMultiplyByPOT with the exponent as a run-time value.
    /// </summary>
    public static int SaturatingRoundingMultiplyByPOT(int x, int exponent)
    {
        if (exponent == 0)
        {
            return x;
        }

        if (exponent < 0)
        {
            return RoundingDivideByPOT(x, -exponent);
        }

        int threshold = (1 << (31 - exponent)) - 1;
        if (x > threshold)
        {
            return int.MaxValue;
        }

        return x < -threshold ? int.MinValue : x * (1 << exponent);
    }

    /// <summary>Changes a raw fixed-point value from Q(srcIntegerBits) to Q(dstIntegerBits) (gemmlowp Rescale).</summary>
    public static int Rescale(int raw, int srcIntegerBits, int dstIntegerBits) =>
        SaturatingRoundingMultiplyByPOT(raw, srcIntegerBits - dstIntegerBits);

    /// <summary>(a + b) / 2 rounded to nearest, ties away from zero (ARM VRHADD semantics of gemmlowp).</summary>
    public static int RoundingHalfSum(int a, int b)
    {
        long sum = (long)a + b;
        long sign = sum >= 0 ? 1 : -1;
        return (int)((sum + sign) / 2);
    }

    /// <summary>Number of leading zero bits of the 32-bit pattern of x (32 for 0).</summary>
    public static int CountLeadingZeros(uint x) => BitOperations.LeadingZeroCount(x);
}
