using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace TinyTrain.Kernels;

public static partial class Add
{
    /// <summary>
    /// Float mode only (FixedPoint needs 64-bit products per lane and stays scalar): returns how many leading elements
    /// it wrote, the caller's scalar loop doing the rest. Lane layout: 4 * W.Lanes int8 values are sign-extended to
    /// int32 in four groups, and each group does exactly the scalar float32 operations (convert, multiply, add, IEEE
    /// divide, round half to even), so every lane equals <see cref="AddFloatUnclamped"/> then the clamp. Widths above
    /// 256 bits use 256. Blocks start at multiples of 16, so their mask bits are whole bytes (mask cleared or empty).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int ForwardVectorized(
        AddParams p, ReadOnlySpan<sbyte> a, ReadOnlySpan<sbyte> b, Span<sbyte> output, Span<byte> mask, VectorWidth width)
    {
        if (p.Mode != RequantMode.Float)
        {
            return 0;
        }

        int i = 0;
        if (width >= VectorWidth.Bits256)
        {
            i = ForwardFloat<Simd256, Vector256<sbyte>, Vector256<short>, Vector256<int>, Vector256<float>>(p, a, b, output, mask, i);
        }

        if (width >= VectorWidth.Bits128)
        {
            i = ForwardFloat<Simd128, Vector128<sbyte>, Vector128<short>, Vector128<int>, Vector128<float>>(p, a, b, output, mask, i);
        }

        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ForwardFloat<W, B, S, I, F>(AddParams p, ReadOnlySpan<sbyte> a, ReadOnlySpan<sbyte> b, Span<sbyte> output, Span<byte> mask, int i)
        where W : ISimd<B, S, I, F>
    {
        int block = 4 * W.Lanes;
        for (; i <= p.Length - block; i += block)
        {
            var (aLo, aHi) = W.Widen(W.Create(a.Slice(i, block)));
            var (bLo, bHi) = W.Widen(W.Create(b.Slice(i, block)));
            var (a0, a1) = W.Widen(aLo);
            var (a2, a3) = W.Widen(aHi);
            var (b0, b1) = W.Widen(bLo);
            var (b2, b3) = W.Widen(bHi);
            var c0 = AddFloat<W, B, S, I, F>(p, a0, b0, out var i0);
            var c1 = AddFloat<W, B, S, I, F>(p, a1, b1, out var i1);
            var c2 = AddFloat<W, B, S, I, F>(p, a2, b2, out var i2);
            var c3 = AddFloat<W, B, S, I, F>(p, a3, b3, out var i3);
            W.Narrow(c0, c1, c2, c3, output.Slice(i, block));
            if (!mask.IsEmpty)
            {
                ClampMask.Or(mask, i, W.SignBits(i0, i1, i2, i3), block);
            }
        }

        return i;
    }

    // Lane-wise AddFloat (inside: the clamp mask lanes); results are clamped to [ActMin, ActMax], so narrowing to int8 is exact.
    private static I AddFloat<W, B, S, I, F>(AddParams p, I a, I b, out I inside)
        where W : ISimd<B, S, I, F>
    {
        F termA = W.Multiply(W.ConvertToSingle(W.Subtract(a, W.Create(p.ZeroA))), W.Create(p.ScaleA));
        F termB = W.Multiply(W.ConvertToSingle(W.Subtract(b, W.Create(p.ZeroB))), W.Create(p.ScaleB));
        F quotient = W.Divide(W.Add(termA, termB), W.Create(p.ScaleOut));
        quotient = W.Min(W.Max(quotient, W.Create(-Saturation)), W.Create(Saturation));
        I value = W.Add(W.ConvertToInt32(W.Round(quotient)), W.Create(p.ZeroOut));
        I clamped = W.Min(W.Max(value, W.Create(p.ActMin)), W.Create(p.ActMax));
        inside = W.LanesEqual(clamped, value);
        return clamped;
    }
}
