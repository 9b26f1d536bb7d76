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
        Span<int> sums = stackalloc int[64];
        int channels = p.InputC;
        for (int outY = 0; outY < p.OutputH; outY++)
        {
            for (int outX = 0; outX < p.OutputW; outX++)
            {
                int pixelIndex = (outY * p.OutputW + outX) * channels;
                Span<sbyte> pixel = output.Slice(pixelIndex, channels);
                var store = new Store(in requantizer, pixel, mask, pixelIndex);
                int channel = 0;
                if (width >= VectorWidth.Bits512)
                {
                    for (; channel + 64 <= channels; channel += 64)
                    {
                        Block512(p, input, filter, outY, outX, channel, in store, sums);
                    }
                }

                if (width >= VectorWidth.Bits256)
                {
                    for (; channel + 32 <= channels; channel += 32)
                    {
                        Block256(p, input, filter, outY, outX, channel, in store, sums);
                    }
                }

                for (; channel < channels; channel += 16)
                {
                    int start = Math.Min(channel, channels - 16);
                    Block128(p, input, filter, outY, outX, start, in store, sums);
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

    private static void Block512(
        DepthwiseConv2DParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, int outY, int outX, int channel,
        in Store store, Span<int> sums)
    {
        var zp = Vector512.Create((short)p.InputZeroPoint);
        // In-image taps only, and channel + 64 <= InputC (checked by the caller): every load below is in bounds.
        ref sbyte x = ref Unsafe.Add(ref MemoryMarshal.GetReference(input), channel);
        ref sbyte w = ref Unsafe.Add(ref MemoryMarshal.GetReference(filter), channel);
        Vector512<int> a0 = default, a1 = default, a2 = default, a3 = default;
        for (int filterY = 0; filterY < p.KernelH; filterY++)
        {
            int inY = outY * p.StrideH - p.PadTop + p.DilationH * filterY;
            if (inY < 0 || inY >= p.InputH)
            {
                continue;
            }

            for (int filterX = 0; filterX < p.KernelW; filterX++)
            {
                int inX = outX * p.StrideW - p.PadLeft + p.DilationW * filterX;
                if (inX < 0 || inX >= p.InputW)
                {
                    continue;
                }

                var (xLo, xHi) = Vector512.Widen(Vector512.LoadUnsafe(ref x, (nuint)((inY * p.InputW + inX) * p.InputC)));
                var (wLo, wHi) = Vector512.Widen(Vector512.LoadUnsafe(ref w, (nuint)((filterY * p.KernelW + filterX) * p.InputC)));
                Vector512<short> lo = (xLo - zp) * wLo;
                Vector512<short> hi = (xHi - zp) * wHi;
                a0 += Vector512.WidenLower(lo);
                a1 += Vector512.WidenUpper(lo);
                a2 += Vector512.WidenLower(hi);
                a3 += Vector512.WidenUpper(hi);
            }
        }

        ref readonly Requantizer requantizer = ref store.Requantizer;
        if (requantizer.TryApply(channel, a0, out var r0, out var i0) && requantizer.TryApply(channel + 16, a1, out var r1, out var i1)
            && requantizer.TryApply(channel + 32, a2, out var r2, out var i2) && requantizer.TryApply(channel + 48, a3, out var r3, out var i3))
        {
            Vector512.Narrow(Vector512.Narrow(r0, r1), Vector512.Narrow(r2, r3)).CopyTo(store.Pixel.Slice(channel, 64));
            if (store.RecordsMask)
            {
                ulong bits = i0.ExtractMostSignificantBits() | ((ulong)i1.ExtractMostSignificantBits() << 16)
                    | ((ulong)i2.ExtractMostSignificantBits() << 32) | ((ulong)i3.ExtractMostSignificantBits() << 48);
                store.Bits(channel, bits, 64);
            }

            return;
        }

        a0.CopyTo(sums);
        a1.CopyTo(sums[16..]);
        a2.CopyTo(sums[32..]);
        a3.CopyTo(sums[48..]);
        store.Scalar(channel, sums[..64]);
    }

    private static void Block256(
        DepthwiseConv2DParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, int outY, int outX, int channel,
        in Store store, Span<int> sums)
    {
        var zp = Vector256.Create((short)p.InputZeroPoint);
        // In-image taps only, and channel + 32 <= InputC (checked by the caller): every load below is in bounds.
        ref sbyte x = ref Unsafe.Add(ref MemoryMarshal.GetReference(input), channel);
        ref sbyte w = ref Unsafe.Add(ref MemoryMarshal.GetReference(filter), channel);
        Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default;
        for (int filterY = 0; filterY < p.KernelH; filterY++)
        {
            int inY = outY * p.StrideH - p.PadTop + p.DilationH * filterY;
            if (inY < 0 || inY >= p.InputH)
            {
                continue;
            }

            for (int filterX = 0; filterX < p.KernelW; filterX++)
            {
                int inX = outX * p.StrideW - p.PadLeft + p.DilationW * filterX;
                if (inX < 0 || inX >= p.InputW)
                {
                    continue;
                }

                var (xLo, xHi) = Vector256.Widen(Vector256.LoadUnsafe(ref x, (nuint)((inY * p.InputW + inX) * p.InputC)));
                var (wLo, wHi) = Vector256.Widen(Vector256.LoadUnsafe(ref w, (nuint)((filterY * p.KernelW + filterX) * p.InputC)));
                Vector256<short> lo = (xLo - zp) * wLo;
                Vector256<short> hi = (xHi - zp) * wHi;
                a0 += Vector256.WidenLower(lo);
                a1 += Vector256.WidenUpper(lo);
                a2 += Vector256.WidenLower(hi);
                a3 += Vector256.WidenUpper(hi);
            }
        }

        ref readonly Requantizer requantizer = ref store.Requantizer;
        if (requantizer.TryApply(channel, a0, out var r0, out var i0) && requantizer.TryApply(channel + 8, a1, out var r1, out var i1)
            && requantizer.TryApply(channel + 16, a2, out var r2, out var i2) && requantizer.TryApply(channel + 24, a3, out var r3, out var i3))
        {
            Vector256.Narrow(Vector256.Narrow(r0, r1), Vector256.Narrow(r2, r3)).CopyTo(store.Pixel.Slice(channel, 32));
            if (store.RecordsMask)
            {
                ulong bits = i0.ExtractMostSignificantBits() | ((ulong)i1.ExtractMostSignificantBits() << 8)
                    | ((ulong)i2.ExtractMostSignificantBits() << 16) | ((ulong)i3.ExtractMostSignificantBits() << 24);
                store.Bits(channel, bits, 32);
            }

            return;
        }

        a0.CopyTo(sums);
        a1.CopyTo(sums[8..]);
        a2.CopyTo(sums[16..]);
        a3.CopyTo(sums[24..]);
        store.Scalar(channel, sums[..32]);
    }

    private static void Block128(
        DepthwiseConv2DParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, int outY, int outX, int channel,
        in Store store, Span<int> sums)
    {
        var zp = Vector128.Create((short)p.InputZeroPoint);
        // In-image taps only, and channel + 16 <= InputC (checked by the caller): every load below is in bounds.
        ref sbyte x = ref Unsafe.Add(ref MemoryMarshal.GetReference(input), channel);
        ref sbyte w = ref Unsafe.Add(ref MemoryMarshal.GetReference(filter), channel);
        Vector128<int> a0 = default, a1 = default, a2 = default, a3 = default;
        for (int filterY = 0; filterY < p.KernelH; filterY++)
        {
            int inY = outY * p.StrideH - p.PadTop + p.DilationH * filterY;
            if (inY < 0 || inY >= p.InputH)
            {
                continue;
            }

            for (int filterX = 0; filterX < p.KernelW; filterX++)
            {
                int inX = outX * p.StrideW - p.PadLeft + p.DilationW * filterX;
                if (inX < 0 || inX >= p.InputW)
                {
                    continue;
                }

                var (xLo, xHi) = Vector128.Widen(Vector128.LoadUnsafe(ref x, (nuint)((inY * p.InputW + inX) * p.InputC)));
                var (wLo, wHi) = Vector128.Widen(Vector128.LoadUnsafe(ref w, (nuint)((filterY * p.KernelW + filterX) * p.InputC)));
                Vector128<short> lo = (xLo - zp) * wLo;
                Vector128<short> hi = (xHi - zp) * wHi;
                a0 += Vector128.WidenLower(lo);
                a1 += Vector128.WidenUpper(lo);
                a2 += Vector128.WidenLower(hi);
                a3 += Vector128.WidenUpper(hi);
            }
        }

        ref readonly Requantizer requantizer = ref store.Requantizer;
        if (requantizer.TryApply(channel, a0, out var r0, out var i0) && requantizer.TryApply(channel + 4, a1, out var r1, out var i1)
            && requantizer.TryApply(channel + 8, a2, out var r2, out var i2) && requantizer.TryApply(channel + 12, a3, out var r3, out var i3))
        {
            Vector128.Narrow(Vector128.Narrow(r0, r1), Vector128.Narrow(r2, r3)).CopyTo(store.Pixel.Slice(channel, 16));
            if (store.RecordsMask)
            {
                ulong bits = i0.ExtractMostSignificantBits() | ((ulong)i1.ExtractMostSignificantBits() << 4)
                    | ((ulong)i2.ExtractMostSignificantBits() << 8) | ((ulong)i3.ExtractMostSignificantBits() << 12);
                store.Bits(channel, bits, 16);
            }

            return;
        }

        a0.CopyTo(sums);
        a1.CopyTo(sums[4..]);
        a2.CopyTo(sums[8..]);
        a3.CopyTo(sums[12..]);
        store.Scalar(channel, sums[..16]);
    }
}
