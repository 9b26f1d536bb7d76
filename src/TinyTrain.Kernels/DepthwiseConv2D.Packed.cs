using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TinyTrain.Kernels;

public static partial class DepthwiseConv2D
{
    /// <summary>Elements per vector of the packed path: 32 int8 values widened to 32 int16 lanes (one zmm).</summary>
    internal const int PackedLanes = 32;

    // Longest channel period (lcm(channels, 32)) and largest stack of padded input rows the packed path takes.
    private const int MaxPeriod = 4096;
    private const int MaxRowBytes = 48 * 1024;

    /// <summary>
    /// Lays out a constant filter for <see cref="ForwardPacked"/>, or returns null when this conv keeps the other
    /// kernels: a depth multiplier other than 1, no AVX-512 here, a channel period or row stack too large for the
    /// stack, rows of fewer than 32 elements (stride 1), or fewer than 32 channels (other strides).
    /// </summary>
    public static DepthwiseConv2DPackedFilter? Pack(DepthwiseConv2DParams p, ReadOnlySpan<sbyte> filter)
    {
        ConvLike.ValidateGeometry(p);
        Requantizer.Validate(p.Requant, p.OutputC);
        Check.Length(filter, p.FilterLength, nameof(filter));
        return Avx512BW.IsSupported && CanPack(p) ? PackUnchecked(p, filter) : null;
    }

    internal static bool CanPack(DepthwiseConv2DParams p)
    {
        long taps = (long)p.KernelH * p.KernelW;
        long rowWidth = (long)(p.OutputW - 1) * p.StrideW + (long)(p.KernelW - 1) * p.DilationW + 1;
        bool fits = p.StrideW == 1 ? (long)p.OutputW * p.InputC >= PackedLanes : p.InputC >= PackedLanes;
        return p.DepthMultiplier == 1 && fits && Period(p.InputC) <= MaxPeriod && p.KernelH * rowWidth * p.InputC <= MaxRowBytes
            && (p.Requant.Mode != RequantMode.Float || taps <= MaxExactTaps);
    }

    private static long Period(int channels) => (long)channels / (long)System.Numerics.BigInteger.GreatestCommonDivisor(channels, PackedLanes) * PackedLanes;

    internal static DepthwiseConv2DPackedFilter PackUnchecked(DepthwiseConv2DParams p, ReadOnlySpan<sbyte> filter)
    {
        int channels = p.InputC, taps = p.KernelH * p.KernelW;
        int period = (int)Period(channels), stride = period + PackedLanes;
        var weights = new sbyte[taps * stride];
        for (int tap = 0; tap < taps; tap++)
        {
            for (int i = 0; i < stride; i++)
            {
                weights[tap * stride + i] = filter[tap * channels + i % channels];
            }
        }

        var requant = p.Requant;
        if (requant.Channels != 1)
        {
            requant = requant.Mode == RequantMode.Float
                ? Requantization.FromFloat(Repeat(requant.Scale, stride))
                : Requantization.FromFixedPoint(Repeat(requant.Multiplier, stride), Repeat(requant.Shift, stride));
        }

        return new DepthwiseConv2DPackedFilter(p, period, weights, requant);
    }

    private static T[] Repeat<T>(T[] values, int length)
    {
        var repeated = new T[length];
        for (int i = 0; i < length; i++)
        {
            repeated[i] = values[i % values.Length];
        }

        return repeated;
    }

    /// <summary>
    /// <see cref="Forward"/> with a filter laid out by <see cref="Pack"/>; bit-identical to the reference <see cref="Forward"/>.
    /// Per output row, the input rows it reads are copied to the stack with the zero point in the padding columns
    /// (rows outside the image are skipped: they add 0). Stride 1: the output row is one run of OutputW x C elements
    /// and the input of tap (ky, kx) is the same run shifted by kx x DilationW x C, so any 32 consecutive elements are
    /// one vector whatever the channel count (the last vector of a row overlaps the one before). Other strides: 32
    /// channels of one pixel per vector. Lanes: x and W widened to int16, (x - zp) * W exact in int16, widened into
    /// two int32 accumulators; requantised 16 lanes at a time.
    /// </summary>
    public static void ForwardPacked(
        DepthwiseConv2DParams p, DepthwiseConv2DPackedFilter packed, ReadOnlySpan<sbyte> input, ReadOnlySpan<int> bias, Span<sbyte> output)
    {
        ArgumentNullException.ThrowIfNull(packed);
        ConvLike.ValidatePacked(p, packed.Params, input.Length, bias.Length, output.Length);
        ForwardPackedCore(p, packed, input, bias, output);
    }

    [SkipLocalsInit]
    private static void ForwardPackedCore(
        DepthwiseConv2DParams p, DepthwiseConv2DPackedFilter packed, ReadOnlySpan<sbyte> input, ReadOnlySpan<int> bias, Span<sbyte> output)
    {
        int channels = p.InputC, taps = p.KernelH * p.KernelW, tapStride = packed.TapStride;
        Span<int> laneBias = bias.IsEmpty ? default : stackalloc int[tapStride];
        for (int i = 0; i < laneBias.Length; i++)
        {
            laneBias[i] = bias[i % channels];
        }

        var requantizer = new Requantizer(packed.Lanes, laneBias, p.OutputZeroPoint, p.ActMin, p.ActMax);
        int rowWidth = (p.OutputW - 1) * p.StrideW + (p.KernelW - 1) * p.DilationW + 1;
        int rowBytes = rowWidth * channels;
        Span<sbyte> rows = stackalloc sbyte[p.KernelH * rowBytes];
        Span<int> tapInput = stackalloc int[taps];
        Span<int> tapWeight = stackalloc int[taps];
        int outputRow = p.OutputW * channels;
        for (int outY = 0; outY < p.OutputH; outY++)
        {
            int count = 0;
            for (int filterY = 0; filterY < p.KernelH; filterY++)
            {
                int inY = outY * p.StrideH - p.PadTop + p.DilationH * filterY;
                if (inY < 0 || inY >= p.InputH)
                {
                    continue;
                }

                CopyPaddedRow(p, input, inY, rows.Slice(filterY * rowBytes, rowBytes), rowWidth);
                for (int filterX = 0; filterX < p.KernelW; filterX++)
                {
                    tapInput[count] = filterY * rowBytes + filterX * p.DilationW * channels;
                    tapWeight[count] = (filterY * p.KernelW + filterX) * tapStride;
                    count++;
                }
            }

            var run = new Run(rows, packed.Weights, tapInput[..count], tapWeight[..count], p.InputZeroPoint);
            Span<sbyte> row = output.Slice(outY * outputRow, outputRow);
            if (p.StrideW == 1)
            {
                for (int start = 0; start < outputRow; start += PackedLanes)
                {
                    int at = Math.Min(start, outputRow - PackedLanes);
                    Vector(in run, at, at % packed.Period, in requantizer, row, at);
                }

                continue;
            }

            for (int outX = 0; outX < p.OutputW; outX++)
            {
                int inputAt = outX * p.StrideW * channels;
                for (int start = 0; start < channels; start += PackedLanes)
                {
                    int channel = Math.Min(start, channels - PackedLanes);
                    Vector(in run, inputAt + channel, channel, in requantizer, row, outX * channels + channel);
                }
            }
        }
    }

    /// <summary>Input columns [-PadLeft, -PadLeft + width) of row inY, the zero point outside the image.</summary>
    private static void CopyPaddedRow(DepthwiseConv2DParams p, ReadOnlySpan<sbyte> input, int inY, Span<sbyte> row, int width)
    {
        int channels = p.InputC;
        int first = Math.Min(Math.Max(p.PadLeft, 0), width);
        int last = Math.Max(Math.Min(width, p.InputW + p.PadLeft), first);
        row[..(first * channels)].Fill((sbyte)p.InputZeroPoint);
        input.Slice((inY * p.InputW + first - p.PadLeft) * channels, (last - first) * channels).CopyTo(row[(first * channels)..]);
        row[(last * channels)..].Fill((sbyte)p.InputZeroPoint);
    }

    /// <summary>The stack rows and the taps one output row reads: input and weight offsets of every in-image tap.</summary>
    private readonly ref struct Run(ReadOnlySpan<sbyte> rows, sbyte[] weights, ReadOnlySpan<int> tapInput, ReadOnlySpan<int> tapWeight, int zeroPoint)
    {
        public readonly ReadOnlySpan<sbyte> Rows = rows;
        public readonly sbyte[] Weights = weights;
        public readonly ReadOnlySpan<int> TapInput = tapInput;
        public readonly ReadOnlySpan<int> TapWeight = tapWeight;
        public readonly int ZeroPoint = zeroPoint;
    }

    /// <summary>32 output elements: input at rows[TapInput[t] + inputAt], weights at lane offset lane, out at row[outputAt].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Vector(in Run run, int inputAt, int lane, in Requantizer requantizer, Span<sbyte> row, int outputAt)
    {
        // Offsets were checked when the rows were sized: inputAt + 32 <= row width x channels past every tap's start,
        // lane + 32 <= the tap stride.
        ref sbyte x = ref Unsafe.Add(ref MemoryMarshal.GetReference(run.Rows), inputAt);
        ref sbyte w = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(run.Weights), lane);
        ref int tapInput = ref MemoryMarshal.GetReference(run.TapInput);
        ref int tapWeight = ref MemoryMarshal.GetReference(run.TapWeight);
        var zp = Vector512.Create((short)run.ZeroPoint);
        Vector512<int> lo = default, hi = default;
        for (int t = 0; t < run.TapInput.Length; t++)
        {
            var xs = Avx512BW.ConvertToVector512Int16(Vector256.LoadUnsafe(ref x, (nuint)Unsafe.Add(ref tapInput, t)));
            var ws = Avx512BW.ConvertToVector512Int16(Vector256.LoadUnsafe(ref w, (nuint)Unsafe.Add(ref tapWeight, t)));
            Vector512<short> product = (xs - zp) * ws;
            lo += Avx512F.ConvertToVector512Int32(product.GetLower());
            hi += Avx512F.ConvertToVector512Int32(product.GetUpper());
        }

        if (requantizer.TryApply(lane, lo, out var low) && requantizer.TryApply(lane + 16, hi, out var high))
        {
            // Clamped to int8 already: truncating each lane to a byte is exact.
            Vector256.Create(Avx512F.ConvertToVector128SByte(low), Avx512F.ConvertToVector128SByte(high)).CopyTo(row.Slice(outputAt, PackedLanes));
            return;
        }

        for (int i = 0; i < 16; i++)
        {
            row[outputAt + i] = requantizer.Apply(lane + i, lo.GetElement(i));
            row[outputAt + 16 + i] = requantizer.Apply(lane + 16 + i, hi.GetElement(i));
        }
    }
}
