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
    internal static void AddInPlace(Span<float> target, ReadOnlySpan<float> source, VectorWidth width)
    {
        Check.Length(source, target.Length, nameof(source));
        int length = target.Length;
        ref float y = ref MemoryMarshal.GetReference(target);
        ref float x = ref MemoryMarshal.GetReference(source);
        int i = 0;
        if (width >= VectorWidth.Bits512)
        {
            for (; i <= length - 16; i += 16)
            {
                (Vector512.LoadUnsafe(ref y, (nuint)i) + Vector512.LoadUnsafe(ref x, (nuint)i)).StoreUnsafe(ref y, (nuint)i);
            }
        }

        if (width >= VectorWidth.Bits256)
        {
            for (; i <= length - 8; i += 8)
            {
                (Vector256.LoadUnsafe(ref y, (nuint)i) + Vector256.LoadUnsafe(ref x, (nuint)i)).StoreUnsafe(ref y, (nuint)i);
            }
        }

        if (width >= VectorWidth.Bits128)
        {
            for (; i <= length - 4; i += 4)
            {
                (Vector128.LoadUnsafe(ref y, (nuint)i) + Vector128.LoadUnsafe(ref x, (nuint)i)).StoreUnsafe(ref y, (nuint)i);
            }
        }

        for (; i < length; i++)
        {
            target[i] += source[i];
        }
    }
}
