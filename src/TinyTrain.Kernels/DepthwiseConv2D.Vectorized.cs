using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace TinyTrain.Kernels;

public static partial class DepthwiseConv2D
{
    // Float mode needs the exact sum: int32 lanes are exact while taps * 32640 < 2^31.
    private const int MaxExactTaps = 1 << 16;

    /// <summary>Whether the SIMD path takes these params: DepthMultiplier 1, 16 channels or more, exact int32 sums.</summary>
    private static bool Vectorizes(DepthwiseConv2DParams p) =>
        p.DepthMultiplier == 1 && p.InputC >= 16 && (p.Requant.Mode != RequantMode.Float || (long)p.KernelH * p.KernelW <= MaxExactTaps);

    /// <summary>
    /// Vectorised across channels: for DepthMultiplier 1 input and filter are both contiguous in the channel, so a
    /// block of 64/32/16 channels is one load of each per tap. Lane layout per block: x and W sign-extended to
    /// int16, (x - zp) * W exact in int16 (|.| &lt;= 32640), widened into four int32 accumulators holding the
    /// block's channels in order. The last block overlaps the previous one when InputC is not a multiple of 16 (and
    /// ORs the same mask bits twice). Validated arguments the path <see cref="Vectorizes"/>, mask cleared or empty.
    /// </summary>
    private static void ForwardVectorized(
        DepthwiseConv2DParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias, Span<sbyte> output,
        Span<byte> mask, VectorWidth width)
    {
        var requantizer = new Requantizer(p.Requant, bias, p.OutputZeroPoint, p.ActMin, p.ActMax);
        var window = new ConvWindow(p);
        Span<int> sums = stackalloc int[64];
        int channels = p.InputC;
        for (int outY = 0; outY < p.OutputH; outY++)
        {
            for (int outX = 0; outX < p.OutputW; outX++)
            {
                int pixelIndex = (outY * p.OutputW + outX) * channels;
                var store = new Store(in requantizer, output.Slice(pixelIndex, channels), mask, pixelIndex);
                var taps = window.Taps(outY, outX);
                int channel = 0;
                if (width >= VectorWidth.Bits512)
                {
                    for (; channel + 64 <= channels; channel += 64)
                    {
                        Block<Simd512, Vector512<sbyte>, Vector512<short>, Vector512<int>, Vector512<float>>(p, input, filter, taps, channel, in store, sums);
                    }
                }

                if (width >= VectorWidth.Bits256)
                {
                    for (; channel + 32 <= channels; channel += 32)
                    {
                        Block<Simd256, Vector256<sbyte>, Vector256<short>, Vector256<int>, Vector256<float>>(p, input, filter, taps, channel, in store, sums);
                    }
                }

                for (; channel < channels; channel += 16)
                {
                    int start = Math.Min(channel, channels - 16);
                    Block<Simd128, Vector128<sbyte>, Vector128<short>, Vector128<int>, Vector128<float>>(p, input, filter, taps, start, in store, sums);
                }
            }
        }
    }

    /// <summary>Where one output pixel's channels go: the int8 values and, when training, their clamp bits.</summary>
    private readonly ref struct Store(in Requantizer requantizer, Span<sbyte> pixel, Span<byte> mask, int pixelIndex)
    {
        public readonly Requantizer Requantizer = requantizer;
        public readonly Span<sbyte> Pixel = pixel;
        private readonly Span<byte> mask = mask;
        private readonly int pixelIndex = pixelIndex;

        public bool RecordsMask => !mask.IsEmpty;

        /// <summary>Scalar requantisation of sums for channels [channel, channel + sums.Length).</summary>
        public void Scalar(int channel, ReadOnlySpan<int> sums)
        {
            for (int i = 0; i < sums.Length; i++)
            {
                Pixel[channel + i] = Requantizer.Apply(channel + i, sums[i], mask, pixelIndex + channel + i);
            }
        }

        /// <summary>ORs the clamp bits of channels [channel, channel + count) in (count &lt;= 64).</summary>
        public void Bits(int channel, ulong insideBits, int count) => ClampMask.Or(mask, pixelIndex + channel, insideBits, count);
    }

    /// <summary>
    /// One block of 4 x W.Lanes channels from <paramref name="channel"/> on (channel + 4 * W.Lanes &lt;= InputC, checked by
    /// the caller, and in-image taps only: every load is in bounds).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block<W, B, S, I, F>(
        DepthwiseConv2DParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ConvWindow.TapEnumerator taps, int channel,
        in Store store, Span<int> sums)
        where W : ISimd<B, S, I, F>
    {
        var zp = W.Create((short)p.InputZeroPoint);
        ref sbyte x = ref Unsafe.Add(ref MemoryMarshal.GetReference(input), channel);
        ref sbyte w = ref Unsafe.Add(ref MemoryMarshal.GetReference(filter), channel);
        I a0 = default!, a1 = default!, a2 = default!, a3 = default!;
        foreach (var tap in taps)
        {
            var (xLo, xHi) = W.Widen(W.Load(ref x, (nuint)(tap.Pixel * p.InputC)));
            var (wLo, wHi) = W.Widen(W.Load(ref w, (nuint)(tap.Index * p.InputC)));
            var (lo0, lo1) = W.Widen(W.Multiply(W.Subtract(xLo, zp), wLo));
            var (hi0, hi1) = W.Widen(W.Multiply(W.Subtract(xHi, zp), wHi));
            a0 = W.Add(a0, lo0);
            a1 = W.Add(a1, lo1);
            a2 = W.Add(a2, hi0);
            a3 = W.Add(a3, hi1);
        }

        int lanes = W.Lanes;
        ref readonly Requantizer requantizer = ref store.Requantizer;
        if (requantizer.TryApply<W, B, S, I, F>(channel, a0, out var r0, out var i0) && requantizer.TryApply<W, B, S, I, F>(channel + lanes, a1, out var r1, out var i1)
            && requantizer.TryApply<W, B, S, I, F>(channel + 2 * lanes, a2, out var r2, out var i2)
            && requantizer.TryApply<W, B, S, I, F>(channel + 3 * lanes, a3, out var r3, out var i3))
        {
            W.Narrow(r0, r1, r2, r3, store.Pixel.Slice(channel, 4 * lanes));
            if (store.RecordsMask)
            {
                store.Bits(channel, W.SignBits(i0, i1, i2, i3), 4 * lanes);
            }

            return;
        }

        W.CopyTo(a0, sums);
        W.CopyTo(a1, sums[lanes..]);
        W.CopyTo(a2, sums[(2 * lanes)..]);
        W.CopyTo(a3, sums[(3 * lanes)..]);
        store.Scalar(channel, sums[..(4 * lanes)]);
    }
}
