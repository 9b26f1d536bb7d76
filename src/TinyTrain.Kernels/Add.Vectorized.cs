using System.Runtime.Intrinsics;

namespace TinyTrain.Kernels;

public static partial class Add
{
    /// <summary>
    /// Float mode only (FixedPoint needs 64-bit products per lane and stays scalar): returns how many leading elements
    /// it wrote, the caller's scalar loop doing the rest. Lane layout: 32 (or 16) int8 values are sign-extended to
    /// int32 in four groups, and each group does exactly the scalar float32 operations (convert, multiply, add, IEEE
    /// divide, round half to even), so every lane equals <see cref="AddFloatUnclamped"/> then the clamp. Widths above
    /// 256 bits use 256. Blocks start at multiples of 16, so their mask bits are whole bytes (mask cleared or empty).
    /// </summary>
    private static int ForwardVectorized(
        AddParams p, ReadOnlySpan<sbyte> a, ReadOnlySpan<sbyte> b, Span<sbyte> output, Span<byte> mask, VectorWidth width)
    {
        int i = 0;
        if (p.Mode != RequantMode.Float)
        {
            return i;
        }

        if (width >= VectorWidth.Bits256)
        {
            for (; i <= p.Length - 32; i += 32)
            {
                var (aLo, aHi) = Vector256.Widen(Vector256.Create(a.Slice(i, 32)));
                var (bLo, bHi) = Vector256.Widen(Vector256.Create(b.Slice(i, 32)));
                var (a0, a1) = Vector256.Widen(aLo);
                var (a2, a3) = Vector256.Widen(aHi);
                var (b0, b1) = Vector256.Widen(bLo);
                var (b2, b3) = Vector256.Widen(bHi);
                Vector256<short> lo = Vector256.Narrow(AddFloat(p, a0, b0, out var i0), AddFloat(p, a1, b1, out var i1));
                Vector256<short> hi = Vector256.Narrow(AddFloat(p, a2, b2, out var i2), AddFloat(p, a3, b3, out var i3));
                Vector256.Narrow(lo, hi).CopyTo(output.Slice(i, 32));
                if (!mask.IsEmpty)
                {
                    ulong bits = i0.ExtractMostSignificantBits() | ((ulong)i1.ExtractMostSignificantBits() << 8)
                        | ((ulong)i2.ExtractMostSignificantBits() << 16) | ((ulong)i3.ExtractMostSignificantBits() << 24);
                    ClampMask.Or(mask, i, bits, 32);
                }
            }
        }

        for (; i <= p.Length - 16; i += 16)
        {
            var (aLo, aHi) = Vector128.Widen(Vector128.Create(a.Slice(i, 16)));
            var (bLo, bHi) = Vector128.Widen(Vector128.Create(b.Slice(i, 16)));
            var (a0, a1) = Vector128.Widen(aLo);
            var (a2, a3) = Vector128.Widen(aHi);
            var (b0, b1) = Vector128.Widen(bLo);
            var (b2, b3) = Vector128.Widen(bHi);
            Vector128<short> lo = Vector128.Narrow(AddFloat(p, a0, b0, out var i0), AddFloat(p, a1, b1, out var i1));
            Vector128<short> hi = Vector128.Narrow(AddFloat(p, a2, b2, out var i2), AddFloat(p, a3, b3, out var i3));
            Vector128.Narrow(lo, hi).CopyTo(output.Slice(i, 16));
            if (!mask.IsEmpty)
            {
                ulong bits = i0.ExtractMostSignificantBits() | ((ulong)i1.ExtractMostSignificantBits() << 4)
                    | ((ulong)i2.ExtractMostSignificantBits() << 8) | ((ulong)i3.ExtractMostSignificantBits() << 12);
                ClampMask.Or(mask, i, bits, 16);
            }
        }

        return i;
    }

    // Lane-wise AddFloat (inside: the clamp mask lanes); results are clamped to [ActMin, ActMax], so narrowing to int8 is exact.
    private static Vector256<int> AddFloat(AddParams p, Vector256<int> a, Vector256<int> b, out Vector256<int> inside)
    {
        Vector256<float> termA = Vector256.ConvertToSingle(a - Vector256.Create(p.ZeroA)) * Vector256.Create(p.ScaleA);
        Vector256<float> termB = Vector256.ConvertToSingle(b - Vector256.Create(p.ZeroB)) * Vector256.Create(p.ScaleB);
        Vector256<float> quotient = (termA + termB) / Vector256.Create(p.ScaleOut);
        quotient = Vector256.Min(Vector256.Max(quotient, Vector256.Create(-Saturation)), Vector256.Create(Saturation));
        Vector256<int> value = Vector256.ConvertToInt32(Vector256.Round(quotient)) + Vector256.Create(p.ZeroOut);
        Vector256<int> clamped = Vector256.Min(Vector256.Max(value, Vector256.Create(p.ActMin)), Vector256.Create(p.ActMax));
        inside = Vector256.Equals(clamped, value);
        return clamped;
    }

    private static Vector128<int> AddFloat(AddParams p, Vector128<int> a, Vector128<int> b, out Vector128<int> inside)
    {
        Vector128<float> termA = Vector128.ConvertToSingle(a - Vector128.Create(p.ZeroA)) * Vector128.Create(p.ScaleA);
        Vector128<float> termB = Vector128.ConvertToSingle(b - Vector128.Create(p.ZeroB)) * Vector128.Create(p.ScaleB);
        Vector128<float> quotient = (termA + termB) / Vector128.Create(p.ScaleOut);
        quotient = Vector128.Min(Vector128.Max(quotient, Vector128.Create(-Saturation)), Vector128.Create(Saturation));
        Vector128<int> value = Vector128.ConvertToInt32(Vector128.Round(quotient)) + Vector128.Create(p.ZeroOut);
        Vector128<int> clamped = Vector128.Min(Vector128.Max(value, Vector128.Create(p.ActMin)), Vector128.Create(p.ActMax));
        inside = Vector128.Equals(clamped, value);
        return clamped;
    }
}
