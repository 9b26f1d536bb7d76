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
    public static float Dot(VectorWidth width, ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int length = a.Length;
        ref float x = ref MemoryMarshal.GetReference(a);
        ref float y = ref MemoryMarshal.GetReference(b[..length]);
        int i = 0;
        float sum = 0;
        if (width >= VectorWidth.Bits512 && length >= 16)
        {
            var acc = Vector512<float>.Zero;
            for (; i <= length - 16; i += 16)
            {
                acc += Vector512.LoadUnsafe(ref x, (nuint)i) * Vector512.LoadUnsafe(ref y, (nuint)i);
            }

            sum += Vector512.Sum(acc);
        }

        if (width >= VectorWidth.Bits256 && length - i >= 8)
        {
            var acc = Vector256<float>.Zero;
            for (; i <= length - 8; i += 8)
            {
                acc += Vector256.LoadUnsafe(ref x, (nuint)i) * Vector256.LoadUnsafe(ref y, (nuint)i);
            }

            sum += Vector256.Sum(acc);
        }

        if (length - i >= 4)
        {
            var acc = Vector128<float>.Zero;
            for (; i <= length - 4; i += 4)
            {
                acc += Vector128.LoadUnsafe(ref x, (nuint)i) * Vector128.LoadUnsafe(ref y, (nuint)i);
            }

            sum += Vector128.Sum(acc);
        }

        for (; i < length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }
}
