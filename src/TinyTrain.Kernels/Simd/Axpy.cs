using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace TinyTrain.Kernels;

/// <summary>
/// y[i] = y[i] + a * x[i] over float32 lanes, the product and the sum each rounded once (never a fused
/// multiply-add), so every lane does exactly what the scalar loop of a reference kernel does and the results are
/// bit-identical. int8 sources are widened exactly: (float)(x - zeroPoint) with x - zeroPoint in [-255, 255].
/// Vectors run at every width up to the one given (<see cref="VectorLoops.Run"/>); the scalar loop finishes the tail.
/// </summary>
internal static class Axpy
{
    /// <summary>y += a * x.</summary>
    public static void Float(VectorWidth width, float a, ReadOnlySpan<float> x, Span<float> y)
    {
        var loop = new FloatLoop(a, default, x, y);
        for (int i = width.Run(ref loop); i < y.Length; i++)
        {
            y[i] += a * x[i];
        }
    }

    /// <summary>y += a .* x (lane-wise products).</summary>
    public static void Pointwise(VectorWidth width, ReadOnlySpan<float> a, ReadOnlySpan<float> x, Span<float> y)
    {
        var loop = new FloatLoop(0, a, x, y);
        for (int i = width.Run(ref loop); i < y.Length; i++)
        {
            y[i] += a[i] * x[i];
        }
    }

    /// <summary>y += a * (float)(x - zeroPoint), in vectors of up to 256 bits.</summary>
    public static void Int8(VectorWidth width, float a, ReadOnlySpan<sbyte> x, int zeroPoint, Span<float> y)
    {
        var loop = new Int8Loop(a, default, x, zeroPoint, y);
        for (int i = width.AtMost(VectorWidth.Bits256).Run(ref loop); i < y.Length; i++)
        {
            y[i] += a * (float)(x[i] - zeroPoint);
        }
    }

    /// <summary>y += a .* (float)x for an int8 x (zero point 0: filters are symmetric), in 128-bit vectors.</summary>
    public static void Pointwise(VectorWidth width, ReadOnlySpan<float> a, ReadOnlySpan<sbyte> x, Span<float> y) =>
        Pointwise(width.AtMost(VectorWidth.Bits128), a, x, 0, y);

    /// <summary>y += a .* (float)(x - zeroPoint) for an int8 x, in vectors of up to 256 bits.</summary>
    public static void Pointwise(VectorWidth width, ReadOnlySpan<float> a, ReadOnlySpan<sbyte> x, int zeroPoint, Span<float> y)
    {
        var loop = new Int8Loop(0, a, x, zeroPoint, y);
        for (int i = width.AtMost(VectorWidth.Bits256).Run(ref loop); i < y.Length; i++)
        {
            y[i] += a[i] * (float)(x[i] - zeroPoint);
        }
    }

    /// <summary>y += a * x, with the factor a (scales empty) or scales[i].</summary>
    private readonly ref struct FloatLoop(float a, ReadOnlySpan<float> scales, ReadOnlySpan<float> x, Span<float> y) : IVectorLoop
    {
        private readonly ReadOnlySpan<float> scales = scales;
        private readonly ReadOnlySpan<float> x = x;
        private readonly Span<float> y = y;

        public int Run<W, B, S, I, F>(int i)
            where W : ISimd<B, S, I, F>
        {
            int length = y.Length, lanes = W.Lanes;
            ref float xs = ref MemoryMarshal.GetReference(x[..length]);
            ref float ys = ref MemoryMarshal.GetReference(y);
            if (scales.IsEmpty)
            {
                var factor = W.Create(a);
                for (; i <= length - lanes; i += lanes)
                {
                    W.Store(W.Add(W.Load(ref ys, (nuint)i), W.Multiply(factor, W.Load(ref xs, (nuint)i))), ref ys, (nuint)i);
                }

                return i;
            }

            ref float factors = ref MemoryMarshal.GetReference(scales[..length]);
            for (; i <= length - lanes; i += lanes)
            {
                W.Store(W.Add(W.Load(ref ys, (nuint)i), W.Multiply(W.Load(ref factors, (nuint)i), W.Load(ref xs, (nuint)i))), ref ys, (nuint)i);
            }

            return i;
        }
    }

    /// <summary>
    /// y += a * (float)(x - zeroPoint), with the factor a (scales empty) or scales[i]: 4 * W.Lanes bytes widen to four
    /// groups of W.Lanes int32 lanes, in order.
    /// </summary>
    private readonly ref struct Int8Loop(float a, ReadOnlySpan<float> scales, ReadOnlySpan<sbyte> x, int zeroPoint, Span<float> y) : IVectorLoop
    {
        private readonly ReadOnlySpan<float> scales = scales;
        private readonly ReadOnlySpan<sbyte> x = x;
        private readonly Span<float> y = y;

        public int Run<W, B, S, I, F>(int i)
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
    }

    // y[at..] += scale * (float)x, one vector.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step<W, B, S, I, F>(ref float y, int at, F scale, I x)
        where W : ISimd<B, S, I, F> =>
        W.Store(W.Add(W.Load(ref y, (nuint)at), W.Multiply(scale, W.ConvertToSingle(x))), ref y, (nuint)at);
}
