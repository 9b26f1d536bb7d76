namespace TinyTrain.Kernels;

/// <summary>
/// Elementwise int8 add of two same-shaped tensors (see <see cref="AddParams"/>). FixedPoint mode is bit-exact
/// with TFLite Micro's reference_integer_ops::AddElementwise; Float mode is the paper's residual add. The reference is
/// one scalar formula per element; the SIMD path does whole vectors first and leaves the tail to it.
/// </summary>
public static partial class Add
{
    /// <summary>y[i] = requant(a[i], b[i]) in the params' mode, and with a mask (empty: none) the clamp bits (see <see cref="ClampMask"/>).</summary>
    internal static void Forward(AddParams p, ReadOnlySpan<sbyte> a, ReadOnlySpan<sbyte> b, Span<sbyte> output, Span<byte> mask, VectorWidth width)
    {
        Validate(p, a, b, output);
        ClampMask.Prepare(mask, p.Length);
        int done = width == VectorWidth.Scalar ? 0 : ForwardVectorized(p, a, b, output, mask, width);
        for (int i = done; i < p.Length; i++)
        {
            output[i] = Element(p, a[i], b[i], mask, i);
        }
    }

    /// <summary>One element in the params' mode; sets mask bit index when the pre-clamp value is inside (empty mask: none).</summary>
    private static sbyte Element(AddParams p, int a, int b, Span<byte> mask, int index)
    {
        int value = p.Mode == RequantMode.Float ? AddFloatUnclamped(p, a, b) : AddFixedPointUnclamped(p, a, b);
        if (value >= p.ActMin && value <= p.ActMax)
        {
            if (!mask.IsEmpty)
            {
                ClampMask.Set(mask, index);
            }

            return (sbyte)value;
        }

        return (sbyte)(value < p.ActMin ? p.ActMin : p.ActMax);
    }

    /// <summary>float32 throughout: t = (a - za) * sa + (b - zb) * sb; y = round_half_even(t / so) + zo (true division), before the clamp.</summary>
    private static int AddFloatUnclamped(AddParams p, int a, int b)
    {
        float termA = (float)(a - p.ZeroA) * p.ScaleA;
        float termB = (float)(b - p.ZeroB) * p.ScaleB;
        float quotient = (termA + termB) / p.ScaleOut;
        return RoundHalfEven(quotient) + p.ZeroOut;
    }

    // Beyond +-2^20 the int8 output saturates anyway; clamping first keeps the int conversion defined.
    internal const float Saturation = 1 << 20;

    internal static int RoundHalfEven(float value) => (int)MathF.Round(Math.Clamp(value, -Saturation, Saturation));

    /// <summary>TFLite AddFunc: both inputs shifted left by LeftShift, rescaled to a common scale, summed, rescaled (before the clamp).</summary>
    private static int AddFixedPointUnclamped(AddParams p, int a, int b)
    {
        int shiftedA = (a - p.ZeroA) * (1 << p.LeftShift);
        int shiftedB = (b - p.ZeroB) * (1 << p.LeftShift);
        int scaledA = FixedPoint.MultiplyByQuantizedMultiplierSmallerThanOneExp(shiftedA, p.MultiplierA, p.ShiftA);
        int scaledB = FixedPoint.MultiplyByQuantizedMultiplierSmallerThanOneExp(shiftedB, p.MultiplierB, p.ShiftB);
        int rawSum = scaledA + scaledB;
        return FixedPoint.MultiplyByQuantizedMultiplierSmallerThanOneExp(rawSum, p.MultiplierOut, p.ShiftOut) + p.ZeroOut;
    }

    /// <summary>TFLite Micro's Prepare for int8 add (left shift 20). Scales are rounded to float32 first, as TFLite stores them.</summary>
    public static AddParams CreateFixedPoint(
        int length, double scaleA, int zeroA, double scaleB, int zeroB, double scaleOut, int zeroOut, int actMin, int actMax)
    {
        const int leftShift = 20;
        float floatA = (float)scaleA, floatB = (float)scaleB, floatOut = (float)scaleOut;
        double twiceMaxInputScale = 2 * (double)Math.Max(floatA, floatB);
        var (multiplierA, shiftA) = QuantizedMultiplier.QuantizeMultiplierSmallerThanOneExp(floatA / twiceMaxInputScale);
        var (multiplierB, shiftB) = QuantizedMultiplier.QuantizeMultiplierSmallerThanOneExp(floatB / twiceMaxInputScale);
        var (multiplierOut, shiftOut) = QuantizedMultiplier.QuantizeMultiplierSmallerThanOneExp(
            twiceMaxInputScale / ((1 << leftShift) * (double)floatOut));
        return new AddParams(
            length, zeroA, zeroB, zeroOut, actMin, actMax, RequantMode.FixedPoint,
            floatA, floatB, floatOut, leftShift, multiplierA, shiftA, multiplierB, shiftB, multiplierOut, shiftOut);
    }

    /// <summary>The paper's residual add: each scale rounded from double to float32 once.</summary>
    public static AddParams CreateFloat(
        int length, double scaleA, int zeroA, double scaleB, int zeroB, double scaleOut, int zeroOut, int actMin, int actMax) =>
        new(length, zeroA, zeroB, zeroOut, actMin, actMax, RequantMode.Float,
            (float)scaleA, (float)scaleB, (float)scaleOut, 0, 0, 0, 0, 0, 0, 0);

    private static void Validate(AddParams p, ReadOnlySpan<sbyte> a, ReadOnlySpan<sbyte> b, ReadOnlySpan<sbyte> output)
    {
        ArgumentNullException.ThrowIfNull(p);
        Check.NonNegative(p.Length, nameof(p.Length));
        Check.Int8(p.ZeroA, nameof(p.ZeroA));
        Check.Int8(p.ZeroB, nameof(p.ZeroB));
        Check.Int8(p.ZeroOut, nameof(p.ZeroOut));
        Check.ActivationRange(p.ActMin, p.ActMax);
        if (p.Mode == RequantMode.Float)
        {
            if (!float.IsFinite(p.ScaleA) || !float.IsFinite(p.ScaleB) || !float.IsFinite(p.ScaleOut) || p.ScaleOut == 0)
            {
                throw new ArgumentException($"add scales must be finite with a non-zero output scale: {p.ScaleA}, {p.ScaleB}, {p.ScaleOut}");
            }
        }
        else if (p.LeftShift < 0 || p.LeftShift > 22 || !IsRightShift(p.ShiftA) || !IsRightShift(p.ShiftB) || !IsRightShift(p.ShiftOut))
        {
            throw new ArgumentException($"add shifts out of range: left {p.LeftShift}, {p.ShiftA}, {p.ShiftB}, {p.ShiftOut}");
        }

        Check.Length(a, p.Length, nameof(a));
        Check.Length(b, p.Length, nameof(b));
        Check.Length(output, p.Length, nameof(output));
    }

    private static bool IsRightShift(int shift) => shift <= 0 && shift >= -31;
}
