using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace TinyTrain.Kernels;

/// <summary>
/// y[i] = y[i] + a * x[i] over float32 lanes, the product and the sum each rounded once (never a fused
/// multiply-add), so every lane does exactly what the scalar loop of a reference kernel does and the results are
/// bit-identical. int8 sources are widened exactly: (float)(x - zeroPoint) with x - zeroPoint in [-255, 255].
/// The scalar loop finishes the tail.
/// </summary>
internal static class Axpy
{
    /// <summary>y += a * x.</summary>
    public static void Float(VectorWidth width, float a, ReadOnlySpan<float> x, Span<float> y)
    {
        int length = y.Length;
        ref float xs = ref MemoryMarshal.GetReference(x[..length]);
        ref float ys = ref MemoryMarshal.GetReference(y);
        int i = 0;
        if (width >= VectorWidth.Bits512)
        {
            var scale = Vector512.Create(a);
            for (; i <= length - 16; i += 16)
            {
                (Vector512.LoadUnsafe(ref ys, (nuint)i) + scale * Vector512.LoadUnsafe(ref xs, (nuint)i)).StoreUnsafe(ref ys, (nuint)i);
            }
        }

        if (width >= VectorWidth.Bits256)
        {
            var scale = Vector256.Create(a);
            for (; i <= length - 8; i += 8)
            {
                (Vector256.LoadUnsafe(ref ys, (nuint)i) + scale * Vector256.LoadUnsafe(ref xs, (nuint)i)).StoreUnsafe(ref ys, (nuint)i);
            }
        }

        var scale128 = Vector128.Create(a);
        for (; i <= length - 4; i += 4)
        {
            (Vector128.LoadUnsafe(ref ys, (nuint)i) + scale128 * Vector128.LoadUnsafe(ref xs, (nuint)i)).StoreUnsafe(ref ys, (nuint)i);
        }

        for (; i < length; i++)
        {
            y[i] += a * x[i];
        }
    }

    /// <summary>y += a * (float)(x - zeroPoint).</summary>
    public static void Int8(VectorWidth width, float a, ReadOnlySpan<sbyte> x, int zeroPoint, Span<float> y)
    {
        int length = y.Length;
        ref sbyte xs = ref MemoryMarshal.GetReference(x[..length]);
        ref float ys = ref MemoryMarshal.GetReference(y);
        int i = 0;
        if (width >= VectorWidth.Bits256)
        {
            // 32 bytes widen to four groups of eight lanes, in order.
            var scale = Vector256.Create(a);
            var zp = Vector256.Create((short)zeroPoint);
            for (; i <= length - 32; i += 32)
            {
                var (lo, hi) = Vector256.Widen(Vector256.LoadUnsafe(ref xs, (nuint)i));
                var (x0, x1) = Vector256.Widen(lo - zp);
                var (x2, x3) = Vector256.Widen(hi - zp);
                Step(ref ys, i, scale, x0);
                Step(ref ys, i + 8, scale, x1);
                Step(ref ys, i + 16, scale, x2);
                Step(ref ys, i + 24, scale, x3);
            }
        }

        var scale128 = Vector128.Create(a);
        var zp128 = Vector128.Create((short)zeroPoint);
        for (; i <= length - 16; i += 16)
        {
            var (lo, hi) = Vector128.Widen(Vector128.LoadUnsafe(ref xs, (nuint)i));
            var (x0, x1) = Vector128.Widen(lo - zp128);
            var (x2, x3) = Vector128.Widen(hi - zp128);
            Step(ref ys, i, scale128, x0);
            Step(ref ys, i + 4, scale128, x1);
            Step(ref ys, i + 8, scale128, x2);
            Step(ref ys, i + 12, scale128, x3);
        }

        for (; i < length; i++)
        {
            y[i] += a * (float)(x[i] - zeroPoint);
        }
    }

    /// <summary>y += a .* x (lane-wise products).</summary>
    public static void Pointwise(VectorWidth width, ReadOnlySpan<float> a, ReadOnlySpan<float> x, Span<float> y)
    {
        int length = y.Length;
        ref float scales = ref MemoryMarshal.GetReference(a[..length]);
        ref float xs = ref MemoryMarshal.GetReference(x[..length]);
        ref float ys = ref MemoryMarshal.GetReference(y);
        int i = 0;
        if (width >= VectorWidth.Bits512)
        {
            for (; i <= length - 16; i += 16)
            {
                var sum = Vector512.LoadUnsafe(ref ys, (nuint)i) + Vector512.LoadUnsafe(ref scales, (nuint)i) * Vector512.LoadUnsafe(ref xs, (nuint)i);
                sum.StoreUnsafe(ref ys, (nuint)i);
            }
        }

        if (width >= VectorWidth.Bits256)
        {
            for (; i <= length - 8; i += 8)
            {
                var sum = Vector256.LoadUnsafe(ref ys, (nuint)i) + Vector256.LoadUnsafe(ref scales, (nuint)i) * Vector256.LoadUnsafe(ref xs, (nuint)i);
                sum.StoreUnsafe(ref ys, (nuint)i);
            }
        }

        for (; i <= length - 4; i += 4)
        {
            var sum = Vector128.LoadUnsafe(ref ys, (nuint)i) + Vector128.LoadUnsafe(ref scales, (nuint)i) * Vector128.LoadUnsafe(ref xs, (nuint)i);
            sum.StoreUnsafe(ref ys, (nuint)i);
        }

        for (; i < length; i++)
        {
            y[i] += a[i] * x[i];
        }
    }

    /// <summary>y += a .* (float)x for an int8 x (zero point 0: filters are symmetric).</summary>
    public static void Pointwise(VectorWidth width, ReadOnlySpan<float> a, ReadOnlySpan<sbyte> x, Span<float> y)
    {
        int length = y.Length;
        ref float scales = ref MemoryMarshal.GetReference(a[..length]);
        ref sbyte xs = ref MemoryMarshal.GetReference(x[..length]);
        ref float ys = ref MemoryMarshal.GetReference(y);
        int i = 0;
        for (; i <= length - 16; i += 16)
        {
            var (lo, hi) = Vector128.Widen(Vector128.LoadUnsafe(ref xs, (nuint)i));
            var (x0, x1) = Vector128.Widen(lo);
            var (x2, x3) = Vector128.Widen(hi);
            Step(ref ys, i, Vector128.LoadUnsafe(ref scales, (nuint)i), x0);
            Step(ref ys, i + 4, Vector128.LoadUnsafe(ref scales, (nuint)(i + 4)), x1);
            Step(ref ys, i + 8, Vector128.LoadUnsafe(ref scales, (nuint)(i + 8)), x2);
            Step(ref ys, i + 12, Vector128.LoadUnsafe(ref scales, (nuint)(i + 12)), x3);
        }

        for (; i < length; i++)
        {
            y[i] += a[i] * (float)x[i];
        }
    }

    /// <summary>y += a .* (float)(x - zeroPoint) for an int8 x: the widening is exact (x - zeroPoint in [-255, 255]).</summary>
    public static void Pointwise(VectorWidth width, ReadOnlySpan<float> a, ReadOnlySpan<sbyte> x, int zeroPoint, Span<float> y)
    {
        int length = y.Length;
        ref float scales = ref MemoryMarshal.GetReference(a[..length]);
        ref sbyte xs = ref MemoryMarshal.GetReference(x[..length]);
        ref float ys = ref MemoryMarshal.GetReference(y);
        int i = 0;
        if (width >= VectorWidth.Bits256)
        {
            var zp = Vector256.Create((short)zeroPoint);
            for (; i <= length - 32; i += 32)
            {
                var (lo, hi) = Vector256.Widen(Vector256.LoadUnsafe(ref xs, (nuint)i));
                var (x0, x1) = Vector256.Widen(lo - zp);
                var (x2, x3) = Vector256.Widen(hi - zp);
                Step(ref ys, i, Vector256.LoadUnsafe(ref scales, (nuint)i), x0);
                Step(ref ys, i + 8, Vector256.LoadUnsafe(ref scales, (nuint)(i + 8)), x1);
                Step(ref ys, i + 16, Vector256.LoadUnsafe(ref scales, (nuint)(i + 16)), x2);
                Step(ref ys, i + 24, Vector256.LoadUnsafe(ref scales, (nuint)(i + 24)), x3);
            }
        }

        var zp128 = Vector128.Create((short)zeroPoint);
        for (; i <= length - 16; i += 16)
        {
            var (lo, hi) = Vector128.Widen(Vector128.LoadUnsafe(ref xs, (nuint)i));
            var (x0, x1) = Vector128.Widen(lo - zp128);
            var (x2, x3) = Vector128.Widen(hi - zp128);
            Step(ref ys, i, Vector128.LoadUnsafe(ref scales, (nuint)i), x0);
            Step(ref ys, i + 4, Vector128.LoadUnsafe(ref scales, (nuint)(i + 4)), x1);
            Step(ref ys, i + 8, Vector128.LoadUnsafe(ref scales, (nuint)(i + 8)), x2);
            Step(ref ys, i + 12, Vector128.LoadUnsafe(ref scales, (nuint)(i + 12)), x3);
        }

        for (; i < length; i++)
        {
            y[i] += a[i] * (float)(x[i] - zeroPoint);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step(ref float y, int offset, Vector256<float> scale, Vector256<int> x) =>
        (Vector256.LoadUnsafe(ref y, (nuint)offset) + scale * Vector256.ConvertToSingle(x)).StoreUnsafe(ref y, (nuint)offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step(ref float y, int offset, Vector128<float> scale, Vector128<int> x) =>
        (Vector128.LoadUnsafe(ref y, (nuint)offset) + scale * Vector128.ConvertToSingle(x)).StoreUnsafe(ref y, (nuint)offset);
}
