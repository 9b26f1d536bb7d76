using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TinyTrain.Kernels;

/// <summary>
/// Four int8 dot products at once, sum over i of w_k[i] * (x[i] - zeroPoint), sharing the loads of x.
/// Lane layout: x is sign-extended to int16 and the zero point subtracted, so (x - zp) is in [-255, 255];
/// w * (x - zp) is in [-32640, 32640] and fits int16 exactly; pairs of products are added into int32 lanes
/// (pmaddwd, or widen + add). Lane order differs from the scalar loop, which is fine: the result is the
/// sum mod 2^32 either way, and it is the exact sum whenever that fits in int32.
/// </summary>
internal static class Int8DotProduct
{
    /// <param name="segments">triples (inputStart, filterStart, length): the contiguous runs of one window.</param>
    /// <param name="sums">receives the four sums.</param>
    public static void Dot4(
        VectorWidth width, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> segments,
        int filter0, int filter1, int filter2, int filter3, int zeroPoint, Span<int> sums)
    {
        bool use512 = width >= VectorWidth.Bits512;
        bool use256 = width >= VectorWidth.Bits256;
        var zp512 = Vector512.Create((short)zeroPoint);
        var zp256 = Vector256.Create((short)zeroPoint);
        var zp128 = Vector128.Create((short)zeroPoint);
        Vector512<int> a0 = default, a1 = default, a2 = default, a3 = default;
        Vector256<int> b0 = default, b1 = default, b2 = default, b3 = default;
        Vector128<int> c0 = default, c1 = default, c2 = default, c3 = default;
        int t0 = 0, t1 = 0, t2 = 0, t3 = 0;

        for (int s = 0; s < segments.Length; s += 3)
        {
            int length = segments[s + 2];
            ReadOnlySpan<sbyte> xs = input.Slice(segments[s], length);
            ReadOnlySpan<sbyte> ws0 = filter.Slice(filter0 + segments[s + 1], length);
            ReadOnlySpan<sbyte> ws1 = filter.Slice(filter1 + segments[s + 1], length);
            ReadOnlySpan<sbyte> ws2 = filter.Slice(filter2 + segments[s + 1], length);
            ReadOnlySpan<sbyte> ws3 = filter.Slice(filter3 + segments[s + 1], length);
            ref sbyte x = ref MemoryMarshal.GetReference(xs);
            ref sbyte w0 = ref MemoryMarshal.GetReference(ws0);
            ref sbyte w1 = ref MemoryMarshal.GetReference(ws1);
            ref sbyte w2 = ref MemoryMarshal.GetReference(ws2);
            ref sbyte w3 = ref MemoryMarshal.GetReference(ws3);

            // Every load below reads [i, i + vector length) with i + vector length <= length.
            int i = 0;
            if (use512)
            {
                for (; i <= length - 64; i += 64)
                {
                    var (lo, hi) = Vector512.Widen(Vector512.LoadUnsafe(ref x, (nuint)i));
                    lo -= zp512;
                    hi -= zp512;
                    a0 += MultiplyAdd(lo, hi, Vector512.LoadUnsafe(ref w0, (nuint)i));
                    a1 += MultiplyAdd(lo, hi, Vector512.LoadUnsafe(ref w1, (nuint)i));
                    a2 += MultiplyAdd(lo, hi, Vector512.LoadUnsafe(ref w2, (nuint)i));
                    a3 += MultiplyAdd(lo, hi, Vector512.LoadUnsafe(ref w3, (nuint)i));
                }
            }

            if (use256)
            {
                for (; i <= length - 32; i += 32)
                {
                    var (lo, hi) = Vector256.Widen(Vector256.LoadUnsafe(ref x, (nuint)i));
                    lo -= zp256;
                    hi -= zp256;
                    b0 += MultiplyAdd(lo, hi, Vector256.LoadUnsafe(ref w0, (nuint)i));
                    b1 += MultiplyAdd(lo, hi, Vector256.LoadUnsafe(ref w1, (nuint)i));
                    b2 += MultiplyAdd(lo, hi, Vector256.LoadUnsafe(ref w2, (nuint)i));
                    b3 += MultiplyAdd(lo, hi, Vector256.LoadUnsafe(ref w3, (nuint)i));
                }
            }

            for (; i <= length - 16; i += 16)
            {
                var (lo, hi) = Vector128.Widen(Vector128.LoadUnsafe(ref x, (nuint)i));
                lo -= zp128;
                hi -= zp128;
                c0 += MultiplyAdd(lo, hi, Vector128.LoadUnsafe(ref w0, (nuint)i));
                c1 += MultiplyAdd(lo, hi, Vector128.LoadUnsafe(ref w1, (nuint)i));
                c2 += MultiplyAdd(lo, hi, Vector128.LoadUnsafe(ref w2, (nuint)i));
                c3 += MultiplyAdd(lo, hi, Vector128.LoadUnsafe(ref w3, (nuint)i));
            }

            for (; i < length; i++)
            {
                int centered = xs[i] - zeroPoint;
                t0 += ws0[i] * centered;
                t1 += ws1[i] * centered;
                t2 += ws2[i] * centered;
                t3 += ws3[i] * centered;
            }
        }

        sums[0] = Total(a0, b0, c0) + t0;
        sums[1] = Total(a1, b1, c1) + t1;
        sums[2] = Total(a2, b2, c2) + t2;
        sums[3] = Total(a3, b3, c3) + t3;
    }

    // Folds the three widths' lanes into one 128-bit vector, then one horizontal sum (all wrapping int32).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Total(Vector512<int> wide, Vector256<int> middle, Vector128<int> narrow)
    {
        Vector256<int> folded = wide.GetLower() + wide.GetUpper() + middle;
        return Vector128.Sum(folded.GetLower() + folded.GetUpper() + narrow);
    }

    // (x - zp) halves times the widened filter chunk, pairs summed into int32 lanes.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> MultiplyAdd(Vector512<short> xLo, Vector512<short> xHi, Vector512<sbyte> w)
    {
        var (wLo, wHi) = Vector512.Widen(w);
        return PairwiseMultiplyAdd(xLo, wLo) + PairwiseMultiplyAdd(xHi, wHi);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> MultiplyAdd(Vector256<short> xLo, Vector256<short> xHi, Vector256<sbyte> w)
    {
        var (wLo, wHi) = Vector256.Widen(w);
        return PairwiseMultiplyAdd(xLo, wLo) + PairwiseMultiplyAdd(xHi, wHi);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> MultiplyAdd(Vector128<short> xLo, Vector128<short> xHi, Vector128<sbyte> w)
    {
        var (wLo, wHi) = Vector128.Widen(w);
        return PairwiseMultiplyAdd(xLo, wLo) + PairwiseMultiplyAdd(xHi, wHi);
    }

    // a * b must fit int16 (see the class comment). pmaddwd where available; otherwise widen and add halves.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<int> PairwiseMultiplyAdd(Vector512<short> a, Vector512<short> b)
    {
        if (Avx512BW.IsSupported)
        {
            return Avx512BW.MultiplyAddAdjacent(a, b);
        }

        Vector512<short> product = a * b;
        return Vector512.WidenLower(product) + Vector512.WidenUpper(product);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<int> PairwiseMultiplyAdd(Vector256<short> a, Vector256<short> b)
    {
        if (Avx2.IsSupported)
        {
            return Avx2.MultiplyAddAdjacent(a, b);
        }

        Vector256<short> product = a * b;
        return Vector256.WidenLower(product) + Vector256.WidenUpper(product);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<int> PairwiseMultiplyAdd(Vector128<short> a, Vector128<short> b)
    {
        if (Sse2.IsSupported)
        {
            return Sse2.MultiplyAddAdjacent(a, b);
        }

        Vector128<short> product = a * b;
        return Vector128.WidenLower(product) + Vector128.WidenUpper(product);
    }
}
