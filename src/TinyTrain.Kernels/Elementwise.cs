using System.Runtime.InteropServices;

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
        var loop = new AddLoop(target, source);
        for (int i = width.Run(ref loop); i < target.Length; i++)
        {
            target[i] += source[i];
        }
    }

    private readonly ref struct AddLoop(Span<float> target, ReadOnlySpan<float> source) : IVectorLoop
    {
        private readonly Span<float> target = target;
        private readonly ReadOnlySpan<float> source = source;

        public int Run<W, B, S, I, F>(int i)
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
}
