using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TinyTrain.Kernels;

public static partial class Conv2D
{
    /// <summary>Output channels per packed block: the int32 lanes of one 256-bit VPDPBUSD.</summary>
    internal const int PackedLanes = 8;

    // Output pixels per pass: their windows are gathered into a stack patch, each weight load feeds all of them.
    internal const int PackedTile = 4;

    // Longest window (KernelH x KernelW x InputC bytes) the stack patch holds; longer ones keep the unpacked path.
    private const int MaxPackedDepth = 4096;

    // The gather may write up to 31 bytes past a window (one 32-byte store for a short run).
    internal const int PatchSlack = 32;

    /// <summary>
    /// Packs a constant filter for <see cref="ForwardPacked"/>, or returns null when this conv keeps the unpacked
    /// kernels (windows over <see cref="MaxPackedDepth"/> bytes or 256 taps, or no 256-bit SIMD on this machine).
    /// </summary>
    public static Conv2DPackedFilter? Pack(Conv2DParams p, ReadOnlySpan<sbyte> filter)
    {
        ConvLike.ValidateGeometry(p);
        Check.Int8(p.InputZeroPoint, nameof(p.InputZeroPoint));
        Check.Length(filter, p.FilterLength, nameof(filter));
        return Vector256.IsHardwareAccelerated && CanPack(p) ? PackUnchecked(p, filter) : null;
    }

    internal static bool CanPack(Conv2DParams p) =>
        p.KernelH * p.KernelW <= MaxVectorWindowTaps && (long)p.KernelH * p.KernelW * p.InputC <= MaxPackedDepth;

    internal static Conv2DPackedFilter PackUnchecked(Conv2DParams p, ReadOnlySpan<sbyte> filter, int width = PackedLanes)
    {
        int window = p.KernelH * p.KernelW * p.InputC;
        int groups = (window + 3) / 4;
        int blocks = p.OutputC >= width ? (p.OutputC + width - 1) / width : 1;
        int lanes = Math.Min(p.OutputC, width);
        var weights = new sbyte[blocks * groups * 4 * width];
        var correction = new int[blocks * width];
        for (int block = 0; block < blocks; block++)
        {
            int start = p.OutputC >= width ? Math.Min(width * block, p.OutputC - width) : 0;
            for (int lane = 0; lane < lanes; lane++)
            {
                ReadOnlySpan<sbyte> channel = filter.Slice((start + lane) * window, window);
                int sum = 0;
                for (int k = 0; k < window; k++)
                {
                    weights[((block * groups + k / 4) * width + lane) * 4 + k % 4] = channel[k];
                    sum += channel[k];
                }

                // |sum| <= 128 * MaxPackedDepth, times at most 255: well inside int32.
                correction[block * width + lane] = -(128 + p.InputZeroPoint) * sum;
            }
        }

        return new Conv2DPackedFilter(p, weights, correction, groups, width);
    }

    /// <summary>
    /// <see cref="Forward"/> with a filter packed by <see cref="Pack"/>; bit-identical to the reference <see cref="Forward"/>.
    /// Each pass gathers the windows of four output pixels into a stack patch, shifted to unsigned bytes (x + 128;
    /// outside the image the zero point's byte, which the correction cancels exactly as padding must), then runs
    /// VPDPBUSD over four pixels x two blocks of eight channels, adds each channel's correction and requantises
    /// eight channels at a time. The sums are the exact integer sums (mod 2^32 in FixedPoint mode, as TFLite's).
    /// </summary>
    public static void ForwardPacked(
        Conv2DParams p, Conv2DPackedFilter packed, ReadOnlySpan<sbyte> input, ReadOnlySpan<int> bias, Span<sbyte> output) =>
        ForwardPacked(p, packed, input, bias, output, AvxVnni.IsSupported);

    /// <summary>Tests run both dot products: the VNNI instruction and its widened emulation.</summary>
    internal static void ForwardPacked(
        Conv2DParams p, Conv2DPackedFilter packed, ReadOnlySpan<sbyte> input, ReadOnlySpan<int> bias, Span<sbyte> output, bool vnni)
    {
        ArgumentNullException.ThrowIfNull(packed);
        ConvLike.ValidatePacked(p, packed.Params, input.Length, bias.Length, output.Length);
        if (vnni)
        {
            ForwardPacked<VnniByteDotProduct>(p, packed, input, bias, output);
        }
        else
        {
            ForwardPacked<WidenedByteDotProduct>(p, packed, input, bias, output);
        }
    }

    [SkipLocalsInit]
    private static void ForwardPacked<TDot>(
        Conv2DParams p, Conv2DPackedFilter packed, ReadOnlySpan<sbyte> input, ReadOnlySpan<int> bias, Span<sbyte> output)
        where TDot : struct, IByteDotProduct
    {
        var requantizer = new Requantizer(p.Requant, bias, p.OutputZeroPoint, p.ActMin, p.ActMax);
        int taps = p.KernelH * p.KernelW;
        int depth = packed.Depth;
        Span<byte> patch = stackalloc byte[PackedTile * depth + PatchSlack];
        Span<int> segments = stackalloc int[3 * taps];
        int pixels = p.OutputH * p.OutputW;

        bool pointwise = IsPointwise(p);
        for (int first = 0; first < pixels; first += PackedTile)
        {
            int count = Math.Min(PackedTile, pixels - first);
            GatherTile(p, input, first, count, patch, depth, segments, pointwise);

            int block = 0;
            for (; block + 2 <= packed.Blocks; block += 2)
            {
                TwoBlocks<TDot>(packed, block, patch, in requantizer, output, first, count);
            }

            if (block < packed.Blocks)
            {
                OneBlock<TDot>(packed, block, patch, in requantizer, output, first, count);
            }
        }
    }

    /// <summary>Whether pixel i's window is input[i * InputC..][..InputC]: a 1x1, stride-1, unpadded conv over the whole width.</summary>
    internal static bool IsPointwise(Conv2DParams p) =>
        p.KernelH * p.KernelW == 1 && p.StrideH == 1 && p.StrideW == 1 && p.PadTop == 0 && p.PadLeft == 0 && p.InputW == p.OutputW;

    /// <summary>The windows of output pixels [first, first + count) as unsigned bytes, one per depth-byte row of the patch.</summary>
    internal static void GatherTile(Conv2DParams p, ReadOnlySpan<sbyte> input, int first, int count, Span<byte> patch, int depth, Span<int> segments, bool pointwise)
    {
        int window = p.KernelH * p.KernelW * p.InputC;
        if (pointwise && depth == window)
        {
            FlipFast(input, first * window, patch, 0, count * window);
        }
        else if (pointwise)
        {
            for (int row = 0; row < count; row++)
            {
                FlipFast(input, (first + row) * window, patch, row * depth, window);
            }
        }
        else
        {
            byte zeroByte = (byte)(p.InputZeroPoint + 128);
            for (int row = 0; row < count; row++)
            {
                GatherWindow(p, input, first + row, patch, row * depth, segments, window, zeroByte);
            }
        }
    }

    /// <summary>The window of one output pixel, as unsigned bytes, at patch[at..at + window).</summary>
    private static void GatherWindow(
        Conv2DParams p, ReadOnlySpan<sbyte> input, int pixel, Span<byte> patch, int at, Span<int> segments, int window, byte zeroByte)
    {
        int outY = pixel / p.OutputW;
        int count = BuildSegments(p, outY, pixel - outY * p.OutputW, segments);
        int covered = 0;
        for (int s = 2; s < count; s += 3)
        {
            covered += segments[s];
        }

        if (covered == window)
        {
            // Runs cover the window in increasing order, so each over-long store is overwritten by the next run.
            for (int s = 0; s < count; s += 3)
            {
                FlipFast(input, segments[s], patch, at + segments[s + 1], segments[s + 2]);
            }

            return;
        }

        // Partly outside the image: the zero point everywhere first, then exact runs (no store may cross a gap).
        patch.Slice(at, window).Fill(zeroByte);
        for (int s = 0; s < count; s += 3)
        {
            FlipExact(input, segments[s], patch, at + segments[s + 1], segments[s + 2]);
        }
    }

    /// <summary>patch[at + i] = input[start + i] + 128 for i &lt; length; may also write up to 31 bytes after them.</summary>
    private static void FlipFast(ReadOnlySpan<sbyte> input, int start, Span<byte> patch, int at, int length)
    {
        ref byte source = ref Unsafe.As<sbyte, byte>(ref MemoryMarshal.GetReference(input));
        ref byte destination = ref MemoryMarshal.GetReference(patch);
        var flip = Vector256.Create((byte)0x80);
        int i = 0;
        for (; i + 32 <= length; i += 32)
        {
            (Vector256.LoadUnsafe(ref source, (nuint)(start + i)) ^ flip).StoreUnsafe(ref destination, (nuint)(at + i));
        }

        if (i < length && start + i + 32 <= input.Length)
        {
            // The patch has PatchSlack bytes after its last window; earlier overruns land on bytes written later.
            (Vector256.LoadUnsafe(ref source, (nuint)(start + i)) ^ flip).StoreUnsafe(ref destination, (nuint)(at + i));
            return;
        }

        for (; i < length; i++)
        {
            Unsafe.Add(ref destination, at + i) = (byte)(Unsafe.Add(ref source, start + i) ^ 0x80);
        }
    }

    /// <summary>patch[at + i] = input[start + i] + 128 for i &lt; length, nothing else.</summary>
    private static void FlipExact(ReadOnlySpan<sbyte> input, int start, Span<byte> patch, int at, int length)
    {
        var flip = Vector256.Create((byte)0x80);
        int i = 0;
        for (; i + 32 <= length; i += 32)
        {
            (Vector256.Create(MemoryMarshal.AsBytes(input.Slice(start + i, 32))) ^ flip).CopyTo(patch.Slice(at + i, 32));
        }

        for (; i < length; i++)
        {
            patch[at + i] = (byte)(input[start + i] ^ 0x80);
        }
    }

    // Four pixels x sixteen channels: eight accumulators, two weight loads and four broadcasts per four-byte group.
    private static void TwoBlocks<TDot>(
        Conv2DPackedFilter packed, int block, ReadOnlySpan<byte> patch, in Requantizer requantizer, Span<sbyte> output, int first, int count)
        where TDot : struct, IByteDotProduct
    {
        int depth = packed.Depth;
        int groupBytes = 4 * PackedLanes;
        ref byte x0 = ref MemoryMarshal.GetReference(patch);
        ref byte x1 = ref Unsafe.Add(ref x0, depth);
        ref byte x2 = ref Unsafe.Add(ref x1, depth);
        ref byte x3 = ref Unsafe.Add(ref x2, depth);
        ref sbyte w0 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(packed.Weights), block * packed.Groups * groupBytes);
        ref sbyte w1 = ref Unsafe.Add(ref w0, packed.Groups * groupBytes);
        Vector256<int> a00 = default, a01 = default, a10 = default, a11 = default;
        Vector256<int> a20 = default, a21 = default, a30 = default, a31 = default;
        for (int g = 0; g < packed.Groups; g++)
        {
            var v0 = Vector256.LoadUnsafe(ref w0, (nuint)(g * groupBytes));
            var v1 = Vector256.LoadUnsafe(ref w1, (nuint)(g * groupBytes));
            var b0 = Vector256.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref x0, 4 * g))).AsByte();
            var b1 = Vector256.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref x1, 4 * g))).AsByte();
            var b2 = Vector256.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref x2, 4 * g))).AsByte();
            var b3 = Vector256.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref x3, 4 * g))).AsByte();
            a00 = TDot.Add(a00, b0, v0);
            a01 = TDot.Add(a01, b0, v1);
            a10 = TDot.Add(a10, b1, v0);
            a11 = TDot.Add(a11, b1, v1);
            a20 = TDot.Add(a20, b2, v0);
            a21 = TDot.Add(a21, b2, v1);
            a30 = TDot.Add(a30, b3, v0);
            a31 = TDot.Add(a31, b3, v1);
        }

        var c0 = Vector256.Create(packed.Correction.AsSpan(block * PackedLanes, PackedLanes));
        var c1 = Vector256.Create(packed.Correction.AsSpan((block + 1) * PackedLanes, PackedLanes));
        int channels = packed.Params.OutputC, lanes = packed.Lanes;
        int start0 = packed.Start(block), start1 = packed.Start(block + 1);
        int pixel = first * channels;
        StoreBlock(in requantizer, a00 + c0, start0, lanes, output, pixel + start0);
        StoreBlock(in requantizer, a01 + c1, start1, lanes, output, pixel + start1);
        if (count > 1)
        {
            pixel += channels;
            StoreBlock(in requantizer, a10 + c0, start0, lanes, output, pixel + start0);
            StoreBlock(in requantizer, a11 + c1, start1, lanes, output, pixel + start1);
        }

        if (count > 2)
        {
            pixel += channels;
            StoreBlock(in requantizer, a20 + c0, start0, lanes, output, pixel + start0);
            StoreBlock(in requantizer, a21 + c1, start1, lanes, output, pixel + start1);
        }

        if (count > 3)
        {
            pixel += channels;
            StoreBlock(in requantizer, a30 + c0, start0, lanes, output, pixel + start0);
            StoreBlock(in requantizer, a31 + c1, start1, lanes, output, pixel + start1);
        }
    }

    // Four pixels x eight channels (the odd block out).
    private static void OneBlock<TDot>(
        Conv2DPackedFilter packed, int block, ReadOnlySpan<byte> patch, in Requantizer requantizer, Span<sbyte> output, int first, int count)
        where TDot : struct, IByteDotProduct
    {
        int depth = packed.Depth;
        int groupBytes = 4 * PackedLanes;
        ref byte x0 = ref MemoryMarshal.GetReference(patch);
        ref byte x1 = ref Unsafe.Add(ref x0, depth);
        ref byte x2 = ref Unsafe.Add(ref x1, depth);
        ref byte x3 = ref Unsafe.Add(ref x2, depth);
        ref sbyte w0 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(packed.Weights), block * packed.Groups * groupBytes);
        Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default;
        for (int g = 0; g < packed.Groups; g++)
        {
            var v0 = Vector256.LoadUnsafe(ref w0, (nuint)(g * groupBytes));
            a0 = TDot.Add(a0, Vector256.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref x0, 4 * g))).AsByte(), v0);
            a1 = TDot.Add(a1, Vector256.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref x1, 4 * g))).AsByte(), v0);
            a2 = TDot.Add(a2, Vector256.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref x2, 4 * g))).AsByte(), v0);
            a3 = TDot.Add(a3, Vector256.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref x3, 4 * g))).AsByte(), v0);
        }

        var c0 = Vector256.Create(packed.Correction.AsSpan(block * PackedLanes, PackedLanes));
        int channels = packed.Params.OutputC, lanes = packed.Lanes;
        int start = packed.Start(block);
        int pixel = first * channels + start;
        StoreBlock(in requantizer, a0 + c0, start, lanes, output, pixel);
        if (count > 1)
        {
            StoreBlock(in requantizer, a1 + c0, start, lanes, output, pixel + channels);
        }

        if (count > 2)
        {
            StoreBlock(in requantizer, a2 + c0, start, lanes, output, pixel + 2 * channels);
        }

        if (count > 3)
        {
            StoreBlock(in requantizer, a3 + c0, start, lanes, output, pixel + 3 * channels);
        }
    }

    /// <summary>Requantises the sums of channels [channel, channel + lanes) and writes them at output[index..].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreBlock(in Requantizer requantizer, Vector256<int> sum, int channel, int lanes, Span<sbyte> output, int index)
    {
        if (lanes == PackedLanes && requantizer.TryApply(channel, sum, out var value))
        {
            // Clamped to int8 already, so truncating each lane to a byte is exact.
            ulong bytes = Avx512F.VL.IsSupported
                ? Avx512F.VL.ConvertToVector128SByte(value).AsUInt64().ToScalar()
                : Vector256.Narrow(Vector256.Narrow(value, value), Vector256.Narrow(value, value)).AsUInt64().ToScalar();
            MemoryMarshal.Write(MemoryMarshal.AsBytes(output.Slice(index, PackedLanes)), in bytes);
            return;
        }

        for (int i = 0; i < lanes; i++)
        {
            output[index + i] = requantizer.Apply(channel + i, sum.GetElement(i));
        }
    }
}
