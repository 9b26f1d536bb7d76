using System.Runtime.InteropServices;

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
    public static float Dot(VectorWidth width, ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var loop = new DotLoop(a, b);
        int i = width.Run(ref loop);
        float sum = loop.Sum;
        for (; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    private ref struct DotLoop(ReadOnlySpan<float> a, ReadOnlySpan<float> b) : IVectorLoop
    {
        private readonly ReadOnlySpan<float> a = a;
        private readonly ReadOnlySpan<float> b = b;

        public float Sum { get; private set; }

        public int Run<W, B, S, I, F>(int i)
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

            Sum += W.Sum(acc);
            return i;
        }
    }
}
