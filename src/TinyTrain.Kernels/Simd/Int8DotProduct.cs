using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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
    /// <remarks>
    /// Each run is taken in the widest allowed vectors, then narrower ones, then one byte at a time; each width's lanes
    /// are folded to four and added to the totals, which one horizontal sum per output ends.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Dot4(
        VectorWidth width, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> segments,
        int filter0, int filter1, int filter2, int filter3, int zeroPoint, Span<int> sums)
    {
        var totals = new Totals();
        int t0 = 0, t1 = 0, t2 = 0, t3 = 0;
        for (int s = 0; s < segments.Length; s += 3)
        {
            int length = segments[s + 2];
            ReadOnlySpan<sbyte> xs = input.Slice(segments[s], length);
            ReadOnlySpan<sbyte> ws0 = filter.Slice(filter0 + segments[s + 1], length);
            ReadOnlySpan<sbyte> ws1 = filter.Slice(filter1 + segments[s + 1], length);
            ReadOnlySpan<sbyte> ws2 = filter.Slice(filter2 + segments[s + 1], length);
            ReadOnlySpan<sbyte> ws3 = filter.Slice(filter3 + segments[s + 1], length);
            var run = new Run(xs, ws0, ws1, ws2, ws3, zeroPoint);
            int i = 0;
            if (width >= VectorWidth.Bits512)
            {
                i = Dot<Simd512, Vector512<sbyte>, Vector512<short>, Vector512<int>, Vector512<float>>(in run, i, ref totals);
            }

            if (width >= VectorWidth.Bits256)
            {
                i = Dot<Simd256, Vector256<sbyte>, Vector256<short>, Vector256<int>, Vector256<float>>(in run, i, ref totals);
            }

            i = Dot<Simd128, Vector128<sbyte>, Vector128<short>, Vector128<int>, Vector128<float>>(in run, i, ref totals);
            for (; i < length; i++)
            {
                int centered = xs[i] - zeroPoint;
                t0 += ws0[i] * centered;
                t1 += ws1[i] * centered;
                t2 += ws2[i] * centered;
                t3 += ws3[i] * centered;
            }
        }

        sums[0] = Vector128.Sum(totals.S0) + t0;
        sums[1] = Vector128.Sum(totals.S1) + t1;
        sums[2] = Vector128.Sum(totals.S2) + t2;
        sums[3] = Vector128.Sum(totals.S3) + t3;
    }

    /// <summary>One contiguous run of x and the four filter rows' bytes under it.</summary>
    private readonly ref struct Run(ReadOnlySpan<sbyte> x, ReadOnlySpan<sbyte> w0, ReadOnlySpan<sbyte> w1, ReadOnlySpan<sbyte> w2, ReadOnlySpan<sbyte> w3, int zeroPoint)
    {
        public readonly ReadOnlySpan<sbyte> X = x, W0 = w0, W1 = w1, W2 = w2, W3 = w3;
        public readonly int ZeroPoint = zeroPoint;
    }

    /// <summary>Each sum's vector lanes from every width, folded to four lanes (wrapping int32).</summary>
    private struct Totals
    {
        public Vector128<int> S0, S1, S2, S3;
    }

    // Whole vectors of the run from byte i on; returns where they stopped.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Dot<W, B, S, I, F>(in Run run, int i, ref Totals totals)
        where W : ISimd<B, S, I, F>
    {
        int length = run.X.Length, bytes = 4 * W.Lanes;
        if (length - i < bytes)
        {
            return i;
        }

        ref sbyte x = ref MemoryMarshal.GetReference(run.X);
        ref sbyte w0 = ref MemoryMarshal.GetReference(run.W0);
        ref sbyte w1 = ref MemoryMarshal.GetReference(run.W1);
        ref sbyte w2 = ref MemoryMarshal.GetReference(run.W2);
        ref sbyte w3 = ref MemoryMarshal.GetReference(run.W3);
        var zp = W.Create((short)run.ZeroPoint);
        I a0 = default!, a1 = default!, a2 = default!, a3 = default!;

        // Every load below reads [i, i + bytes) with i + bytes <= length.
        for (; i <= length - bytes; i += bytes)
        {
            var (lo, hi) = W.Widen(W.Load(ref x, (nuint)i));
            lo = W.Subtract(lo, zp);
            hi = W.Subtract(hi, zp);
            a0 = W.Add(a0, MultiplyAdd<W, B, S, I, F>(lo, hi, W.Load(ref w0, (nuint)i)));
            a1 = W.Add(a1, MultiplyAdd<W, B, S, I, F>(lo, hi, W.Load(ref w1, (nuint)i)));
            a2 = W.Add(a2, MultiplyAdd<W, B, S, I, F>(lo, hi, W.Load(ref w2, (nuint)i)));
            a3 = W.Add(a3, MultiplyAdd<W, B, S, I, F>(lo, hi, W.Load(ref w3, (nuint)i)));
        }

        totals.S0 += W.Fold(a0);
        totals.S1 += W.Fold(a1);
        totals.S2 += W.Fold(a2);
        totals.S3 += W.Fold(a3);
        return i;
    }

    // (x - zp) halves times the widened filter chunk, pairs summed into int32 lanes.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static I MultiplyAdd<W, B, S, I, F>(S xLo, S xHi, B w)
        where W : ISimd<B, S, I, F>
    {
        var (wLo, wHi) = W.Widen(w);
        return W.Add(W.MultiplyAddAdjacent(xLo, wLo), W.MultiplyAddAdjacent(xHi, wHi));
    }
}
