using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace TinyTrain.Kernels;

/// <summary>
/// sum of a[i] * b[i] in float32 with vector-lane partial sums (no fused multiply-add), reduced in a fixed order
/// and then the scalar tail: deterministic, but a different summation order from a plain loop, so it differs from
/// one by rounding only. With n terms each order is within (n - 1) * 2^-24 * sum |a[i] * b[i]| of the exact sum
/// (the classic bound for recursive summation), so two orders differ by at most twice that.
/// </summary>
internal static class FloatDot
{
    /// <remarks>Each width sums its whole vectors in one accumulator, reduced and added to the total, widest first.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Dot(VectorWidth width, ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int i = 0;
        float sum = 0;
        if (width >= VectorWidth.Bits512)
        {
            i = Dot<Simd512, Vector512<sbyte>, Vector512<short>, Vector512<int>, Vector512<float>>(a, b, i, ref sum);
        }

        if (width >= VectorWidth.Bits256)
        {
            i = Dot<Simd256, Vector256<sbyte>, Vector256<short>, Vector256<int>, Vector256<float>>(a, b, i, ref sum);
        }

        if (width >= VectorWidth.Bits128)
        {
            i = Dot<Simd128, Vector128<sbyte>, Vector128<short>, Vector128<int>, Vector128<float>>(a, b, i, ref sum);
        }

        for (; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    // Adds nothing (not even +0) when no whole vector is left.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Dot<W, B, S, I, F>(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int i, ref float sum)
        where W : ISimd<B, S, I, F>
    {
        int length = a.Length, lanes = W.Lanes;
        if (length - i < lanes)
        {
            return i;
        }

        ref float x = ref MemoryMarshal.GetReference(a);
        ref float y = ref MemoryMarshal.GetReference(b[..length]);
        var acc = W.Create(0f);
        for (; i <= length - lanes; i += lanes)
        {
            acc = W.Add(acc, W.Multiply(W.Load(ref x, (nuint)i), W.Load(ref y, (nuint)i)));
        }

        sum += W.Sum(acc);
        return i;
    }
}
