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
    private static int ForwardVectorized(
        AddParams p, ReadOnlySpan<sbyte> a, ReadOnlySpan<sbyte> b, Span<sbyte> output, Span<byte> mask, VectorWidth width)
    {
        if (p.Mode != RequantMode.Float)
        {
            return 0;
        }

        var loop = new FloatLoop(p, a, b, output, mask);
        return width.AtMost(VectorWidth.Bits256).Run(ref loop);
    }

    private readonly ref struct FloatLoop(AddParams p, ReadOnlySpan<sbyte> a, ReadOnlySpan<sbyte> b, Span<sbyte> output, Span<byte> mask) : IVectorLoop
    {
        private readonly ReadOnlySpan<sbyte> a = a;
        private readonly ReadOnlySpan<sbyte> b = b;
        private readonly Span<sbyte> output = output;
        private readonly Span<byte> mask = mask;

        public int Run<W, B, S, I, F>(int i)
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
