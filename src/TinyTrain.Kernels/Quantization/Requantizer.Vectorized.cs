using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TinyTrain.Kernels;

/// <summary>
/// Requantisation of 4/8/16 consecutive channels at once, lane for lane equal to <see cref="Apply"/>. Each
/// TryApply returns false when it cannot guarantee that (the caller then uses Apply per channel).
/// </summary>
internal readonly ref partial struct Requantizer
{
    /// <summary>Requantises channels [channel, channel + 4) and writes the four int8 results to destination.</summary>
    public bool TryStore4(int channel, Vector128<int> sum, Span<sbyte> destination) => TryStore4(channel, sum, destination, default, 0);

    /// <summary>
    /// <see cref="TryStore4(int, Vector128{int}, Span{sbyte})"/> that also ORs the four clamp bits into mask at bit
    /// maskIndex + channel (maskIndex is the element index of destination[0]); an empty mask records nothing.
    /// </summary>
    public bool TryStore4(int channel, Vector128<int> sum, Span<sbyte> destination, Span<byte> mask, int maskIndex)
    {
        if (!TryApply(channel, sum, out var value, out var inside))
        {
            return false;
        }

        if (!mask.IsEmpty)
        {
            ClampMask.Or(mask, maskIndex + channel, inside.ExtractMostSignificantBits(), 4);
        }

        // Values are clamped to int8, so narrowing is exact; the four bytes end up in the low 32 bits.
        Vector128<short> halves = Vector128.Narrow(value, value);
        int packed = Vector128.Narrow(halves, halves).AsInt32().ToScalar();
        MemoryMarshal.Write(MemoryMarshal.AsBytes(destination.Slice(channel, 4)), in packed);
        return true;
    }

    public bool TryApply(int channel, Vector128<int> sum, out Vector128<int> value) => TryApply(channel, sum, out value, out _);

    public bool TryApply(int channel, Vector256<int> sum, out Vector256<int> value) => TryApply(channel, sum, out value, out _);

    public bool TryApply(int channel, Vector512<int> sum, out Vector512<int> value) => TryApply(channel, sum, out value, out _);

    // inside: all-ones lanes where the pre-clamp value lay in [min, max] (the clamp mask bit, see ClampMask).
    public bool TryApply(int channel, Vector128<int> sum, out Vector128<int> value, out Vector128<int> inside) =>
        mode == RequantMode.Float ? TryApplyFloat(channel, sum, out value, out inside) : TryApplyFixedPoint(channel, sum, out value, out inside);

    public bool TryApply(int channel, Vector256<int> sum, out Vector256<int> value, out Vector256<int> inside) =>
        mode == RequantMode.Float ? TryApplyFloat(channel, sum, out value, out inside) : TryApplyFixedPoint(channel, sum, out value, out inside);

    public bool TryApply(int channel, Vector512<int> sum, out Vector512<int> value, out Vector512<int> inside)
    {
        if (mode == RequantMode.Float)
        {
            return TryApplyFloat(channel, sum, out value, out inside);
        }

        value = default;
        inside = default;
        if (!TryApplyFixedPoint(channel, sum.GetLower(), out var lower, out var lowerInside)
            || !TryApplyFixedPoint(channel + 8, sum.GetUpper(), out var upper, out var upperInside))
        {
            return false;
        }

        value = Vector512.Create(lower, upper);
        inside = Vector512.Create(lowerInside, upperInside);
        return true;
    }

    // Float mode on consecutive channels, lane-wise equal to Apply: when sum + bias fits in int32, (float) of it
    // is the same single rounding as (float) of the int64, and the rest is the same float32 operations. Returns
    // false if some lane's sum + bias leaves int32 (saturated biases do that); the caller then uses Apply.
    private bool TryApplyFloat(int channel, Vector128<int> sum, out Vector128<int> value, out Vector128<int> inside)
    {
        value = default;
        inside = default;
        if (!bias.IsEmpty)
        {
            var b = Vector128.Create(bias.Slice(channel, Vector128<int>.Count));
            var total = sum + b;
            if (Vector128.LessThanAny((sum ^ total) & (b ^ total), Vector128<int>.Zero))
            {
                return false;
            }

            sum = total;
        }

        var scales = perTensor ? Vector128.Create(scale[0]) : Vector128.Create(scale.AsSpan(channel, Vector128<int>.Count));
        var scaled = Vector128.ConvertToSingle(sum) * scales;
        scaled = Vector128.Min(Vector128.Max(scaled, Vector128.Create(-Saturation)), Vector128.Create(Saturation));
        var rounded = Vector128.ConvertToInt32(Vector128.Round(scaled)) + Vector128.Create(zeroPoint);
        value = Vector128.Min(Vector128.Max(rounded, Vector128.Create(min)), Vector128.Create(max));
        inside = Vector128.Equals(value, rounded);
        return true;
    }

    private bool TryApplyFloat(int channel, Vector256<int> sum, out Vector256<int> value, out Vector256<int> inside)
    {
        value = default;
        inside = default;
        if (!bias.IsEmpty)
        {
            var b = Vector256.Create(bias.Slice(channel, Vector256<int>.Count));
            var total = sum + b;
            if (Vector256.LessThanAny((sum ^ total) & (b ^ total), Vector256<int>.Zero))
            {
                return false;
            }

            sum = total;
        }

        var scales = perTensor ? Vector256.Create(scale[0]) : Vector256.Create(scale.AsSpan(channel, Vector256<int>.Count));
        var scaled = Vector256.ConvertToSingle(sum) * scales;
        scaled = Vector256.Min(Vector256.Max(scaled, Vector256.Create(-Saturation)), Vector256.Create(Saturation));
        var rounded = Vector256.ConvertToInt32(Vector256.Round(scaled)) + Vector256.Create(zeroPoint);
        value = Vector256.Min(Vector256.Max(rounded, Vector256.Create(min)), Vector256.Create(max));
        inside = Vector256.Equals(value, rounded);
        return true;
    }

    private bool TryApplyFloat(int channel, Vector512<int> sum, out Vector512<int> value, out Vector512<int> inside)
    {
        value = default;
        inside = default;
        if (!bias.IsEmpty)
        {
            var b = Vector512.Create(bias.Slice(channel, Vector512<int>.Count));
            var total = sum + b;
            if (Vector512.LessThanAny((sum ^ total) & (b ^ total), Vector512<int>.Zero))
            {
                return false;
            }

            sum = total;
        }

        var scales = perTensor ? Vector512.Create(scale[0]) : Vector512.Create(scale.AsSpan(channel, Vector512<int>.Count));
        var scaled = Vector512.ConvertToSingle(sum) * scales;
        scaled = Vector512.Min(Vector512.Max(scaled, Vector512.Create(-Saturation)), Vector512.Create(Saturation));
        var rounded = Vector512.ConvertToInt32(Vector512.Round(scaled)) + Vector512.Create(zeroPoint);
        value = Vector512.Min(Vector512.Max(rounded, Vector512.Create(min)), Vector512.Create(max));
        inside = Vector512.Equals(value, rounded);
        return true;
    }

    // FixedPoint: TFLite's MultiplyByQuantizedMultiplier, lane by lane: a left shift (wrapping, as the scalar form)
    // for positive exponents, then the doubling high multiply, then a rounding right shift for negative ones. Needs 32x32->64
    // multiplies (pmuldq) and per-lane shifts, which only x86 AVX2 offers here; elsewhere the caller goes scalar.
    // The bias is added in wrapping int32, as TFLite does.
    private bool TryApplyFixedPoint(int channel, Vector256<int> sum, out Vector256<int> value, out Vector256<int> inside)
    {
        value = default;
        inside = default;
        if (!Avx2.IsSupported || !shiftsInRange)
        {
            return false;
        }

        Vector256<int> acc = bias.IsEmpty ? sum : sum + Vector256.Create(bias.Slice(channel, 8));
        Vector256<int> factor = perTensor ? Vector256.Create(multiplier[0]) : Vector256.Create(multiplier.AsSpan(channel, 8));
        Vector256<int> shifts = perTensor ? Vector256.Create(shift[0]) : Vector256.Create(shift.AsSpan(channel, 8));
        Vector256<uint> exponent = Vector256.Max(-shifts, Vector256<int>.Zero).AsUInt32();
        acc = Avx2.ShiftLeftLogicalVariable(acc, Vector256.Max(shifts, Vector256<int>.Zero).AsUInt32());

        // SaturatingRoundingDoublingHighMul: even and odd lanes as 64-bit products.
        Vector256<long> even = Avx2.Multiply(acc, factor);
        Vector256<long> odd = Avx2.Multiply(Avx2.ShiftRightLogical(acc.AsInt64(), 32).AsInt32(), Avx2.ShiftRightLogical(factor.AsInt64(), 32).AsInt32());
        Vector256<int> high = Avx2.Blend(HighHalf(even).AsInt32(), Avx2.ShiftLeftLogical(HighHalf(odd), 32).AsInt32(), 0b1010_1010);
        Vector256<int> saturate = Vector256.Equals(acc, factor) & Vector256.Equals(acc, Vector256.Create(int.MinValue));
        high = Vector256.ConditionalSelect(saturate, Vector256.Create(int.MaxValue), high);

        // RoundingDivideByPOT with per-lane exponents (the branch-free form of FixedPoint.RoundingDivideByPOT).
        Vector256<int> mask = Avx2.ShiftLeftLogicalVariable(Vector256<int>.One, exponent) - Vector256<int>.One;
        Vector256<int> threshold = (mask >> 1) + (high >>> 31);
        Vector256<int> rounded = Avx2.ShiftRightArithmeticVariable(high, exponent) + ((threshold - (high & mask)) >>> 31);
        Vector256<int> shifted = rounded + Vector256.Create(zeroPoint);
        value = Vector256.Min(Vector256.Max(shifted, Vector256.Create(min)), Vector256.Create(max));
        inside = Vector256.Equals(value, shifted);
        return true;
    }

    private bool TryApplyFixedPoint(int channel, Vector128<int> sum, out Vector128<int> value, out Vector128<int> inside)
    {
        value = default;
        inside = default;
        if (!Avx2.IsSupported || !shiftsInRange)
        {
            return false;
        }

        Vector128<int> acc = bias.IsEmpty ? sum : sum + Vector128.Create(bias.Slice(channel, 4));
        Vector128<int> factor = perTensor ? Vector128.Create(multiplier[0]) : Vector128.Create(multiplier.AsSpan(channel, 4));
        Vector128<int> shifts = perTensor ? Vector128.Create(shift[0]) : Vector128.Create(shift.AsSpan(channel, 4));
        Vector128<uint> exponent = Vector128.Max(-shifts, Vector128<int>.Zero).AsUInt32();
        acc = Avx2.ShiftLeftLogicalVariable(acc, Vector128.Max(shifts, Vector128<int>.Zero).AsUInt32());

        Vector128<long> even = Sse41.Multiply(acc, factor);
        Vector128<long> odd = Sse41.Multiply(Sse2.ShiftRightLogical(acc.AsInt64(), 32).AsInt32(), Sse2.ShiftRightLogical(factor.AsInt64(), 32).AsInt32());
        Vector128<int> high = Avx2.Blend(HighHalf(even).AsInt32(), Sse2.ShiftLeftLogical(HighHalf(odd), 32).AsInt32(), 0b1010);
        Vector128<int> saturate = Vector128.Equals(acc, factor) & Vector128.Equals(acc, Vector128.Create(int.MinValue));
        high = Vector128.ConditionalSelect(saturate, Vector128.Create(int.MaxValue), high);

        Vector128<int> mask = Avx2.ShiftLeftLogicalVariable(Vector128<int>.One, exponent) - Vector128<int>.One;
        Vector128<int> threshold = (mask >> 1) + (high >>> 31);
        Vector128<int> rounded = Avx2.ShiftRightArithmeticVariable(high, exponent) + ((threshold - (high & mask)) >>> 31);
        Vector128<int> shifted = rounded + Vector128.Create(zeroPoint);
        value = Vector128.Min(Vector128.Max(shifted, Vector128.Create(min)), Vector128.Create(max));
        inside = Vector128.Equals(value, shifted);
        return true;
    }

    // (p + nudge) / 2^31 truncating toward zero, nudge = p >= 0 ? 2^30 : 1 - 2^30; the int32 result is the low
    // half of each 64-bit lane (a logical shift leaves the same low 32 bits as an arithmetic one).
    private static Vector256<long> HighHalf(Vector256<long> product)
    {
        var low31 = Vector256.Create((1L << 31) - 1);
        Vector256<long> nudged = product + (Vector256.Create(1L << 30) - (Vector256.LessThan(product, Vector256<long>.Zero) & low31));
        return Avx2.ShiftRightLogical(nudged + (Vector256.LessThan(nudged, Vector256<long>.Zero) & low31), 31);
    }

    private static Vector128<long> HighHalf(Vector128<long> product)
    {
        var low31 = Vector128.Create((1L << 31) - 1);
        Vector128<long> nudged = product + (Vector128.Create(1L << 30) - (Vector128.LessThan(product, Vector128<long>.Zero) & low31));
        return Sse2.ShiftRightLogical(nudged + (Vector128.LessThan(nudged, Vector128<long>.Zero) & low31), 31);
    }
}
