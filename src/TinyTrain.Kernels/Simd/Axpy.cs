using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace TinyTrain.Kernels;

/// <summary>
/// y[i] = y[i] + a * x[i] over float32 lanes, the product and the sum each rounded once (never a fused
/// multiply-add), so every lane does exactly what the scalar loop of a reference kernel does and the results are
/// bit-identical. int8 sources are widened exactly: (float)(x - zeroPoint) with x - zeroPoint in [-255, 255].
/// Each loop is written once for every width (<see cref="ISimd{B, S, I, F}"/>) and runs at the widest allowed one,
/// then the narrower ones; the scalar loop finishes the tail.
/// </summary>
internal static class Axpy
{
    /// <summary>y += a * x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Float(VectorWidth width, float a, ReadOnlySpan<float> x, Span<float> y)
    {
        int i = 0;
        if (width >= VectorWidth.Bits512)
        {
            i = Float<Simd512, Vector512<sbyte>, Vector512<short>, Vector512<int>, Vector512<float>>(a, x, y, i);
        }

        if (width >= VectorWidth.Bits256)
        {
            i = Float<Simd256, Vector256<sbyte>, Vector256<short>, Vector256<int>, Vector256<float>>(a, x, y, i);
        }

        if (width >= VectorWidth.Bits128)
        {
            i = Float<Simd128, Vector128<sbyte>, Vector128<short>, Vector128<int>, Vector128<float>>(a, x, y, i);
        }

        for (; i < y.Length; i++)
        {
            y[i] += a * x[i];
        }
    }

    /// <summary>y += a .* x (lane-wise products).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Pointwise(VectorWidth width, ReadOnlySpan<float> a, ReadOnlySpan<float> x, Span<float> y)
    {
        int i = 0;
        if (width >= VectorWidth.Bits512)
        {
            i = Pointwise<Simd512, Vector512<sbyte>, Vector512<short>, Vector512<int>, Vector512<float>>(a, x, y, i);
        }

        if (width >= VectorWidth.Bits256)
        {
            i = Pointwise<Simd256, Vector256<sbyte>, Vector256<short>, Vector256<int>, Vector256<float>>(a, x, y, i);
        }

        if (width >= VectorWidth.Bits128)
        {
            i = Pointwise<Simd128, Vector128<sbyte>, Vector128<short>, Vector128<int>, Vector128<float>>(a, x, y, i);
        }

        for (; i < y.Length; i++)
        {
            y[i] += a[i] * x[i];
        }
    }

    /// <summary>y += a * (float)(x - zeroPoint), in vectors of up to 256 bits.</summary>
    public static void Int8(VectorWidth width, float a, ReadOnlySpan<sbyte> x, int zeroPoint, Span<float> y) =>
        Int8(width, a, default, x, zeroPoint, y);

    /// <summary>y += a .* (float)x for an int8 x (zero point 0: filters are symmetric), in 128-bit vectors.</summary>
    public static void Pointwise(VectorWidth width, ReadOnlySpan<float> a, ReadOnlySpan<sbyte> x, Span<float> y) =>
        Int8(width > VectorWidth.Bits128 ? VectorWidth.Bits128 : width, 0, a, x, 0, y);

    /// <summary>y += a .* (float)(x - zeroPoint) for an int8 x, in vectors of up to 256 bits.</summary>
    public static void Pointwise(VectorWidth width, ReadOnlySpan<float> a, ReadOnlySpan<sbyte> x, int zeroPoint, Span<float> y) =>
        Int8(width, 0, a, x, zeroPoint, y);

    /// <summary>y += factor * (float)(x - zeroPoint), the factor a (scales empty) or scales[i].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Int8(VectorWidth width, float a, ReadOnlySpan<float> scales, ReadOnlySpan<sbyte> x, int zeroPoint, Span<float> y)
    {
        int i = 0;
        if (width >= VectorWidth.Bits256)
        {
            i = Int8<Simd256, Vector256<sbyte>, Vector256<short>, Vector256<int>, Vector256<float>>(a, scales, x, zeroPoint, y, i);
        }

        if (width >= VectorWidth.Bits128)
        {
            i = Int8<Simd128, Vector128<sbyte>, Vector128<short>, Vector128<int>, Vector128<float>>(a, scales, x, zeroPoint, y, i);
        }

        for (; i < y.Length; i++)
        {
            y[i] += (scales.IsEmpty ? a : scales[i]) * (float)(x[i] - zeroPoint);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Float<W, B, S, I, F>(float a, ReadOnlySpan<float> x, Span<float> y, int i)
        where W : ISimd<B, S, I, F>
    {
        int length = y.Length, lanes = W.Lanes;
        ref float xs = ref MemoryMarshal.GetReference(x[..length]);
        ref float ys = ref MemoryMarshal.GetReference(y);
        var factor = W.Create(a);
        for (; i <= length - lanes; i += lanes)
        {
            W.Store(W.Add(W.Load(ref ys, (nuint)i), W.Multiply(factor, W.Load(ref xs, (nuint)i))), ref ys, (nuint)i);
        }

        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Pointwise<W, B, S, I, F>(ReadOnlySpan<float> a, ReadOnlySpan<float> x, Span<float> y, int i)
        where W : ISimd<B, S, I, F>
    {
        int length = y.Length, lanes = W.Lanes;
        ref float factors = ref MemoryMarshal.GetReference(a[..length]);
        ref float xs = ref MemoryMarshal.GetReference(x[..length]);
        ref float ys = ref MemoryMarshal.GetReference(y);
        for (; i <= length - lanes; i += lanes)
        {
            W.Store(W.Add(W.Load(ref ys, (nuint)i), W.Multiply(W.Load(ref factors, (nuint)i), W.Load(ref xs, (nuint)i))), ref ys, (nuint)i);
        }

        return i;
    }

    /// <summary>4 * W.Lanes bytes at a time, widened to four groups of W.Lanes int32 lanes, in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Int8<W, B, S, I, F>(float a, ReadOnlySpan<float> scales, ReadOnlySpan<sbyte> x, int zeroPoint, Span<float> y, int i)
        where W : ISimd<B, S, I, F>
    {
        int length = y.Length, lanes = W.Lanes;
        ref sbyte xs = ref MemoryMarshal.GetReference(x[..length]);
        ref float ys = ref MemoryMarshal.GetReference(y);
        var zp = W.Create((short)zeroPoint);
        if (scales.IsEmpty)
        {
            var factor = W.Create(a);
            for (; i <= length - 4 * lanes; i += 4 * lanes)
            {
                var (lo, hi) = W.Widen(W.Load(ref xs, (nuint)i));
                var (x0, x1) = W.Widen(W.Subtract(lo, zp));
                var (x2, x3) = W.Widen(W.Subtract(hi, zp));
                Step<W, B, S, I, F>(ref ys, i, factor, x0);
                Step<W, B, S, I, F>(ref ys, i + lanes, factor, x1);
                Step<W, B, S, I, F>(ref ys, i + 2 * lanes, factor, x2);
                Step<W, B, S, I, F>(ref ys, i + 3 * lanes, factor, x3);
            }

            return i;
        }

        ref float factors = ref MemoryMarshal.GetReference(scales[..length]);
        for (; i <= length - 4 * lanes; i += 4 * lanes)
        {
            var (lo, hi) = W.Widen(W.Load(ref xs, (nuint)i));
            var (x0, x1) = W.Widen(W.Subtract(lo, zp));
            var (x2, x3) = W.Widen(W.Subtract(hi, zp));
            Step<W, B, S, I, F>(ref ys, i, W.Load(ref factors, (nuint)i), x0);
            Step<W, B, S, I, F>(ref ys, i + lanes, W.Load(ref factors, (nuint)(i + lanes)), x1);
            Step<W, B, S, I, F>(ref ys, i + 2 * lanes, W.Load(ref factors, (nuint)(i + 2 * lanes)), x2);
            Step<W, B, S, I, F>(ref ys, i + 3 * lanes, W.Load(ref factors, (nuint)(i + 3 * lanes)), x3);
        }

        return i;
    }

    // y[at..] += scale * (float)x, one vector.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step<W, B, S, I, F>(ref float y, int at, F scale, I x)
        where W : ISimd<B, S, I, F> =>
        W.Store(W.Add(W.Load(ref y, (nuint)at), W.Multiply(scale, W.ConvertToSingle(x))), ref y, (nuint)at);
}
