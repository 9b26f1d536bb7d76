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
    /// Each run is taken in the widest allowed vectors, then narrower ones, then one element at a time: each width
    /// sums its share of every run in its own accumulators, and the shares add up (wrapping int32) to the four sums.
    /// </remarks>
    public static void Dot4(
        VectorWidth width, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> segments,
        int filter0, int filter1, int filter2, int filter3, int zeroPoint, Span<int> sums)
    {
        var dot = new Segments(input, filter, segments, filter0, filter1, filter2, filter3, zeroPoint);
        sums.Clear();
        int done = 0;
        if (width >= VectorWidth.Bits512)
        {
            done = dot.Add<Simd512, Vector512<sbyte>, Vector512<short>, Vector512<int>, Vector512<float>>(done, sums);
        }

        if (width >= VectorWidth.Bits256)
        {
            done = dot.Add<Simd256, Vector256<sbyte>, Vector256<short>, Vector256<int>, Vector256<float>>(done, sums);
        }

        dot.Add<Simd128, Vector128<sbyte>, Vector128<short>, Vector128<int>, Vector128<float>>(done, sums);
        dot.AddTails(sums);
    }

    /// <summary>The runs of one window against four filter rows.</summary>
    private readonly ref struct Segments(
        ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> segments, int filter0, int filter1, int filter2, int filter3, int zeroPoint)
    {
        private readonly ReadOnlySpan<sbyte> input = input;
        private readonly ReadOnlySpan<sbyte> filter = filter;
        private readonly ReadOnlySpan<int> segments = segments;

        /// <summary>
        /// Adds to sums the whole vectors of each run past its first <paramref name="done"/>-byte multiple (the part wider
        /// widths took: every run's length rounded down to a multiple of done's vector, 0 for the first width); returns
        /// this width's bytes per vector.
        /// </summary>
        public int Add<W, B, S, I, F>(int done, Span<int> sums)
            where W : ISimd<B, S, I, F>
        {
            int bytes = 4 * W.Lanes;
            var zp = W.Create((short)zeroPoint);
            I a0 = default!, a1 = default!, a2 = default!, a3 = default!;
            for (int s = 0; s < segments.Length; s += 3)
            {
                int length = segments[s + 2];
                ref sbyte x = ref MemoryMarshal.GetReference(input.Slice(segments[s], length));
                ref sbyte w0 = ref MemoryMarshal.GetReference(filter.Slice(filter0 + segments[s + 1], length));
                ref sbyte w1 = ref MemoryMarshal.GetReference(filter.Slice(filter1 + segments[s + 1], length));
                ref sbyte w2 = ref MemoryMarshal.GetReference(filter.Slice(filter2 + segments[s + 1], length));
                ref sbyte w3 = ref MemoryMarshal.GetReference(filter.Slice(filter3 + segments[s + 1], length));

                // Every load below reads [i, i + bytes) with i + bytes <= length.
                for (int i = done == 0 ? 0 : length / done * done; i <= length - bytes; i += bytes)
                {
                    var (lo, hi) = W.Widen(W.Load(ref x, (nuint)i));
                    lo = W.Subtract(lo, zp);
                    hi = W.Subtract(hi, zp);
                    a0 = W.Add(a0, MultiplyAdd<W, B, S, I, F>(lo, hi, W.Load(ref w0, (nuint)i)));
                    a1 = W.Add(a1, MultiplyAdd<W, B, S, I, F>(lo, hi, W.Load(ref w1, (nuint)i)));
                    a2 = W.Add(a2, MultiplyAdd<W, B, S, I, F>(lo, hi, W.Load(ref w2, (nuint)i)));
                    a3 = W.Add(a3, MultiplyAdd<W, B, S, I, F>(lo, hi, W.Load(ref w3, (nuint)i)));
                }
            }

            sums[0] += W.Sum(a0);
            sums[1] += W.Sum(a1);
            sums[2] += W.Sum(a2);
            sums[3] += W.Sum(a3);
            return bytes;
        }

        /// <summary>Adds the last (length mod 16) bytes of each run, one at a time.</summary>
        public void AddTails(Span<int> sums)
        {
            for (int s = 0; s < segments.Length; s += 3)
            {
                int length = segments[s + 2];
                ReadOnlySpan<sbyte> xs = input.Slice(segments[s], length);
                ReadOnlySpan<sbyte> ws0 = filter.Slice(filter0 + segments[s + 1], length);
                ReadOnlySpan<sbyte> ws1 = filter.Slice(filter1 + segments[s + 1], length);
                ReadOnlySpan<sbyte> ws2 = filter.Slice(filter2 + segments[s + 1], length);
                ReadOnlySpan<sbyte> ws3 = filter.Slice(filter3 + segments[s + 1], length);
                for (int i = length / 16 * 16; i < length; i++)
                {
                    int centered = xs[i] - zeroPoint;
                    sums[0] += ws0[i] * centered;
                    sums[1] += ws1[i] * centered;
                    sums[2] += ws2[i] * centered;
                    sums[3] += ws3[i] * centered;
                }
            }
        }
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
