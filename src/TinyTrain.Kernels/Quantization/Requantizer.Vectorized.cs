using System.Runtime.CompilerServices;
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
        TryApply<Simd128, Vector128<sbyte>, Vector128<short>, Vector128<int>, Vector128<float>>(channel, sum, out value, out inside);

    public bool TryApply(int channel, Vector256<int> sum, out Vector256<int> value, out Vector256<int> inside) =>
        TryApply<Simd256, Vector256<sbyte>, Vector256<short>, Vector256<int>, Vector256<float>>(channel, sum, out value, out inside);

    public bool TryApply(int channel, Vector512<int> sum, out Vector512<int> value, out Vector512<int> inside) =>
        TryApply<Simd512, Vector512<sbyte>, Vector512<short>, Vector512<int>, Vector512<float>>(channel, sum, out value, out inside);

    /// <summary>Channels [channel, channel + W.Lanes) at once, in the requantisation's mode.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryApply<W, B, S, I, F>(int channel, I sum, out I value, out I inside)
        where W : ISimd<B, S, I, F> =>
        mode == RequantMode.Float ? TryApplyFloat<W, B, S, I, F>(channel, sum, out value, out inside) : W.TryApplyFixedPoint(in this, channel, sum, out value, out inside);

    // Float mode on consecutive channels, lane-wise equal to Apply: when sum + bias fits in int32, (float) of it
    // is the same single rounding as (float) of the int64, and the rest is the same float32 operations. Returns
    // false if some lane's sum + bias leaves int32 (saturated biases do that); the caller then uses Apply.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryApplyFloat<W, B, S, I, F>(int channel, I sum, out I value, out I inside)
        where W : ISimd<B, S, I, F>
    {
        value = default!;
        inside = default!;
        if (!bias.IsEmpty)
        {
            var b = W.Create(bias.Slice(channel, W.Lanes));
            var total = W.Add(sum, b);
            if (W.AnyNegative(W.And(W.Xor(sum, total), W.Xor(b, total))))
            {
                return false;
            }

            sum = total;
        }

        var scales = perTensor ? W.Create(scale[0]) : W.Create(scale.AsSpan(channel, W.Lanes));
        var scaled = W.Multiply(W.ConvertToSingle(sum), scales);
        scaled = W.Min(W.Max(scaled, W.Create(-Saturation)), W.Create(Saturation));
        var rounded = W.Add(W.ConvertToInt32(W.Round(scaled)), W.Create(zeroPoint));
        value = W.Min(W.Max(rounded, W.Create(min)), W.Create(max));
        inside = W.LanesEqual(value, rounded);
        return true;
    }

    // FixedPoint: TFLite's MultiplyByQuantizedMultiplier, lane by lane: a left shift (wrapping, as the scalar form)
    // for positive exponents, then the doubling high multiply, then a rounding right shift for negative ones. Needs 32x32->64
    // multiplies (pmuldq) and per-lane shifts, which only x86 AVX2 offers here; elsewhere the caller goes scalar.
    // The bias is added in wrapping int32, as TFLite does.
    // lanes: 8, or 4 with the upper lanes zero (computed and dropped by the caller).
    internal bool TryApplyFixedPoint(int channel, int lanes, Vector256<int> sum, out Vector256<int> value, out Vector256<int> inside)
    {
        value = default;
        inside = default;
        if (!Avx2.IsSupported || !shiftsInRange)
        {
            return false;
        }

        Vector256<int> acc = bias.IsEmpty ? sum : sum + Lanes(bias, channel, lanes);
        Vector256<int> factor = perTensor ? Vector256.Create(multiplier[0]) : Lanes(multiplier, channel, lanes);
        Vector256<int> shifts = perTensor ? Vector256.Create(shift[0]) : Lanes(shift, channel, lanes);
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

    private static Vector256<int> Lanes(ReadOnlySpan<int> values, int channel, int lanes) =>
        lanes == 8 ? Vector256.Create(values.Slice(channel, 8)) : Vector128.Create(values.Slice(channel, 4)).ToVector256();

    // (p + nudge) / 2^31 truncating toward zero, nudge = p >= 0 ? 2^30 : 1 - 2^30; the int32 result is the low
    // half of each 64-bit lane (a logical shift leaves the same low 32 bits as an arithmetic one).
    private static Vector256<long> HighHalf(Vector256<long> product)
    {
        var low31 = Vector256.Create((1L << 31) - 1);
        Vector256<long> nudged = product + (Vector256.Create(1L << 30) - (Vector256.LessThan(product, Vector256<long>.Zero) & low31));
        return Avx2.ShiftRightLogical(nudged + (Vector256.LessThan(nudged, Vector256<long>.Zero) & low31), 31);
    }
}
