using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace TinyTrain.Kernels;

/// <summary>Elementwise fp32 kernels of the backward pass.</summary>
public static class Elementwise
{
    /// <summary>
    /// target[i] += source[i]: sums the gradients of a tensor read by several ops (fan-out). One IEEE addition per
    /// element, in vectors from the widest allowed down, then the scalar loop (all of it at <see cref="VectorWidth.Scalar"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void AddInPlace(Span<float> target, ReadOnlySpan<float> source, VectorWidth width)
    {
        Check.Length(source, target.Length, nameof(source));
        int i = 0;
        if (width >= VectorWidth.Bits512)
        {
            i = AddInPlace<Simd512, Vector512<sbyte>, Vector512<short>, Vector512<int>, Vector512<float>>(target, source, i);
        }

        if (width >= VectorWidth.Bits256)
        {
            i = AddInPlace<Simd256, Vector256<sbyte>, Vector256<short>, Vector256<int>, Vector256<float>>(target, source, i);
        }

        if (width >= VectorWidth.Bits128)
        {
            i = AddInPlace<Simd128, Vector128<sbyte>, Vector128<short>, Vector128<int>, Vector128<float>>(target, source, i);
        }

        for (; i < target.Length; i++)
        {
            target[i] += source[i];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int AddInPlace<W, B, S, I, F>(Span<float> target, ReadOnlySpan<float> source, int i)
        where W : ISimd<B, S, I, F>
    {
        ref float y = ref MemoryMarshal.GetReference(target);
        ref float x = ref MemoryMarshal.GetReference(source);
        for (; i <= target.Length - W.Lanes; i += W.Lanes)
        {
            W.Store(W.Add(W.Load(ref y, (nuint)i), W.Load(ref x, (nuint)i)), ref y, (nuint)i);
        }

        return i;
    }
}
