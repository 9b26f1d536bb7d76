using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace TinyTrain.Kernels;

/// <summary>
/// Backward of requantisation and clamp (paper-notes §2.2): y = clamp(round(acc * eff_scale[c]) + zp), so with
/// straight-through rounding g_acc = g_y * eff_scale[c] where the clamp mask is 1, and 0 where the clamp cut.
/// The fp32 baseline uses it with scale [1] (the mask alone).
/// </summary>
public static class Requant
{
    /// <summary>
    /// accGrad[i] = mask bit i ? outputGrad[i] * scale[i % channels] : 0, scale holding channels entries or one
    /// (per-tensor). accGrad may be outputGrad itself (in place), but not a partly overlapping span. One product
    /// per element, +0 where the mask is 0: the scalar loop is the spec, the vectors (<see cref="Run"/>) do the same
    /// per lane.
    /// </summary>
    internal static void AccumulatorGrad(
        ReadOnlySpan<float> outputGrad, ReadOnlySpan<byte> mask, ReadOnlySpan<float> scale, int channels, Span<float> accGrad, VectorWidth width)
    {
        Validate(outputGrad, mask, scale, channels, accGrad);
        int run = scale.Length == 1 ? outputGrad.Length : channels;
        for (int start = 0; start < outputGrad.Length; start += run)
        {
            Run(width, outputGrad.Slice(start, run), mask, start, scale, accGrad.Slice(start, run));
        }
    }

    /// <summary>
    /// accGrad[i] = outputGrad[i] * scale[i % channels]: the gradient through a scaling with no clamp (a dequantisation).
    /// Rare and small (a head's features), so only this plain loop exists.
    /// </summary>
    public static void ScaleGrad(ReadOnlySpan<float> outputGrad, ReadOnlySpan<float> scale, int channels, Span<float> accGrad)
    {
        if (accGrad.Length != outputGrad.Length || (scale.Length != 1 && scale.Length != channels))
            throw new ArgumentException($"{outputGrad.Length} gradients, {accGrad.Length} outputs, {scale.Length} scales for {channels} channels");
        bool perTensor = scale.Length == 1;
        for (int i = 0; i < outputGrad.Length; i++)
        {
            accGrad[i] = outputGrad[i] * scale[perTensor ? 0 : i % channels];
        }
    }

    /// <summary>
    /// One run of constant layout: the whole tensor when per-tensor, else one pixel's channels, so the scales load
    /// contiguously. Per vector, the mask bits of its lanes (read at any bit offset) become lane masks by testing bit
    /// k in lane k; the product is ANDed with them, giving the scalar loop's +0 where the bit is 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run(VectorWidth width, ReadOnlySpan<float> gradient, ReadOnlySpan<byte> mask, int start, ReadOnlySpan<float> scale, Span<float> result)
    {
        int i = 0;
        if (width >= VectorWidth.Bits512)
        {
            i = Run<Simd512, Vector512<sbyte>, Vector512<short>, Vector512<int>, Vector512<float>>(gradient, mask, start, scale, result, i);
        }

        if (width >= VectorWidth.Bits256)
        {
            i = Run<Simd256, Vector256<sbyte>, Vector256<short>, Vector256<int>, Vector256<float>>(gradient, mask, start, scale, result, i);
        }

        if (width >= VectorWidth.Bits128)
        {
            i = Run<Simd128, Vector128<sbyte>, Vector128<short>, Vector128<int>, Vector128<float>>(gradient, mask, start, scale, result, i);
        }

        bool perTensor = scale.Length == 1;
        for (; i < gradient.Length; i++)
        {
            result[i] = ClampMask.IsInside(mask, start + i) ? gradient[i] * scale[perTensor ? 0 : i] : 0f;
        }
    }

    private static ReadOnlySpan<int> LaneBits => [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Run<W, B, S, I, F>(
        ReadOnlySpan<float> gradient, ReadOnlySpan<byte> mask, int start, ReadOnlySpan<float> scale, Span<float> result, int i)
        where W : ISimd<B, S, I, F>
    {
        int lanes = W.Lanes;
        bool perTensor = scale.Length == 1;
        var laneBits = W.Create(LaneBits);
        for (; i <= gradient.Length - lanes; i += lanes)
        {
            var factor = perTensor ? W.Create(scale[0]) : W.Create(scale.Slice(i, lanes));
            var keep = W.LanesEqual(W.And(W.Create((int)ClampMask.Read(mask, start + i, lanes)), laneBits), laneBits);
            W.Store(W.And(W.Multiply(W.Create(gradient.Slice(i, lanes)), factor), keep), ref MemoryMarshal.GetReference(result.Slice(i, lanes)), 0);
        }

        return i;
    }

    private static void Validate(
        ReadOnlySpan<float> outputGrad, ReadOnlySpan<byte> mask, ReadOnlySpan<float> scale, int channels, ReadOnlySpan<float> accGrad)
    {
        Check.Positive(channels, nameof(channels));
        if (outputGrad.Length % channels != 0)
        {
            throw new ArgumentException($"outputGrad has {outputGrad.Length} elements, not a multiple of {channels} channels", nameof(outputGrad));
        }

        if (scale.Length != channels && scale.Length != 1)
        {
            throw new ArgumentException($"scale has {scale.Length} entries, expected 1 or {channels}", nameof(scale));
        }

        ClampMask.Validate(mask, outputGrad.Length, nameof(mask));
        Check.Length(accGrad, outputGrad.Length, nameof(accGrad));
    }
}
