using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TinyTrain.Kernels;

public static partial class ConvDepthwise
{
    // Output columns per vector of a depthwise plane row (32 int16 lanes, one zmm).
    private const int PlaneLanes = 32;

    // Largest stack of phase rows a plane's output row reads.
    private const int MaxPhaseRowBytes = 32 * 1024;

    /// <summary>
    /// Prepares both constant filters for <see cref="ForwardPacked"/>, or returns null when the pair keeps the other
    /// kernels (no AVX-512 here, a conv window too long to pack, fewer than four conv channels, rows too wide).
    /// </summary>
    public static ConvDepthwisePackedFilters? Pack(Conv2DParams conv, DepthwiseConv2DParams depthwise, ReadOnlySpan<sbyte> convFilter)
    {
        ConvLike.ValidateGeometry(conv);
        ConvLike.ValidateGeometry(depthwise);
        Check.Int8(conv.InputZeroPoint, nameof(conv.InputZeroPoint));
        Requantizer.Validate(depthwise.Requant, depthwise.OutputC);
        Check.Length(convFilter, conv.FilterLength, nameof(convFilter));
        return Avx512BW.IsSupported && CanPack(conv, depthwise) ? PackUnchecked(conv, depthwise, convFilter) : null;
    }

    internal static bool CanPack(Conv2DParams conv, DepthwiseConv2DParams depthwise) =>
        Conv2D.CanPack(conv) && conv.OutputC >= Group && depthwise.DepthMultiplier == 1
        && (depthwise.Requant.Mode != RequantMode.Float || (long)depthwise.KernelH * depthwise.KernelW <= 1 << 16)
        && (long)depthwise.KernelH * depthwise.StrideW * PhaseRowLength(depthwise) <= MaxPhaseRowBytes;

    internal static ConvDepthwisePackedFilters PackUnchecked(Conv2DParams conv, DepthwiseConv2DParams depthwise, ReadOnlySpan<sbyte> convFilter)
    {
        var requant = depthwise.Requant;
        var channels = new Requantization[depthwise.OutputC];
        for (int c = 0; c < channels.Length; c++)
        {
            int q = requant.Channels == 1 ? 0 : c;
            channels[c] = requant.Mode == RequantMode.Float
                ? Requantization.FromFloat([requant.Scale[q]])
                : Requantization.FromFixedPoint([requant.Multiplier[q]], [requant.Shift[q]]);
        }

        return new ConvDepthwisePackedFilters(Conv2D.PackUnchecked(conv, convFilter, Group), depthwise, channels);
    }

    // Phase row r of input row iy holds padded columns r, r + s, r + 2s, ...: tap kx of output column ox is element
    // ox + (kx * DilationW) / s of phase row (kx * DilationW) % s, so 32 consecutive outputs read 32 consecutive bytes.
    private static int PhaseRowLength(DepthwiseConv2DParams p) =>
        (p.OutputW + PlaneLanes - 1) / PlaneLanes * PlaneLanes + (p.KernelW - 1) * p.DilationW / p.StrideW + 1;

    /// <summary>
    /// <see cref="Forward"/> with prepared filters; bit-identical to the reference <see cref="Forward"/>. The conv's four
    /// channels of a group come from VPDPBUSD over four-pixel windows (as <see cref="Conv2D.ForwardPacked"/>, four
    /// int32 lanes); each depthwise plane is convolved 32 output columns at a time, (x - zp) * w exact in int16.
    /// </summary>
    public static void ForwardPacked(Conv2DParams conv, DepthwiseConv2DParams depthwise, ConvDepthwisePackedFilters packed, ReadOnlySpan<sbyte> input,
        ReadOnlySpan<int> convBias, ReadOnlySpan<sbyte> depthwiseFilter, ReadOnlySpan<int> depthwiseBias, Span<sbyte> planes, Span<sbyte> output)
    {
        ArgumentNullException.ThrowIfNull(packed);
        Validate(conv, depthwise, input, default, convBias, depthwiseFilter, depthwiseBias, planes, output, checkConvFilter: false);
        if (!packed.Conv.Params.Equals(conv) || !packed.Depthwise.Equals(depthwise))
        {
            throw new ArgumentException("the filters were packed for another pair", nameof(packed));
        }

        if (AvxVnni.IsSupported)
        {
            ForwardPacked<VnniByteDotProduct>(conv, depthwise, packed, input, convBias, depthwiseFilter, depthwiseBias, planes, output);
        }
        else
        {
            ForwardPacked<WidenedByteDotProduct>(conv, depthwise, packed, input, convBias, depthwiseFilter, depthwiseBias, planes, output);
        }
    }

    private static void ForwardPacked<TDot>(Conv2DParams conv, DepthwiseConv2DParams depthwise, ConvDepthwisePackedFilters packed, ReadOnlySpan<sbyte> input,
        ReadOnlySpan<int> convBias, ReadOnlySpan<sbyte> depthwiseFilter, ReadOnlySpan<int> depthwiseBias, Span<sbyte> planes, Span<sbyte> output)
        where TDot : struct, IByteDotProduct
    {
        int pixels = conv.OutputH * conv.OutputW;
        for (int block = 0; block < packed.Conv.Blocks; block++)
        {
            int first = packed.Conv.Start(block);
            ConvPlanes<TDot>(conv, packed.Conv, block, input, convBias, planes);
            for (int k = 0; k < Group; k++)
            {
                PlaneVectorized(depthwise, first + k, planes.Slice(k * pixels, pixels), depthwiseFilter, depthwiseBias, packed.Channels[first + k], output);
            }
        }
    }

    /// <summary>The conv's channels [Start(block), + 4) for every pixel, channel k into plane k.</summary>
    [SkipLocalsInit]
    private static void ConvPlanes<TDot>(Conv2DParams p, Conv2DPackedFilter packed, int block, ReadOnlySpan<sbyte> input, ReadOnlySpan<int> bias, Span<sbyte> planes)
        where TDot : struct, IByteDotProduct
    {
        var requantizer = new Requantizer(p.Requant, bias, p.OutputZeroPoint, p.ActMin, p.ActMax);
        int depth = packed.Depth, pixels = p.OutputH * p.OutputW, channel = packed.Start(block);
        Span<byte> patch = stackalloc byte[Conv2D.PackedTile * depth + Conv2D.PatchSlack];
        Span<int> segments = stackalloc int[3 * p.KernelH * p.KernelW];
        bool pointwise = Conv2D.IsPointwise(p);
        ref sbyte w = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(packed.Weights), block * packed.Groups * 16);
        var correction = Vector128.Create(packed.Correction.AsSpan(block * Group, Group));
        Span<int> sums = stackalloc int[Group];
        for (int first = 0; first < pixels; first += Conv2D.PackedTile)
        {
            int count = Math.Min(Conv2D.PackedTile, pixels - first);
            Conv2D.GatherTile(p, input, first, count, patch, depth, segments, pointwise);
            ref byte x0 = ref MemoryMarshal.GetReference(patch);
            ref byte x1 = ref Unsafe.Add(ref x0, depth);
            ref byte x2 = ref Unsafe.Add(ref x1, depth);
            ref byte x3 = ref Unsafe.Add(ref x2, depth);
            Vector128<int> a0 = default, a1 = default, a2 = default, a3 = default;
            for (int g = 0; g < packed.Groups; g++)
            {
                var v = Vector128.LoadUnsafe(ref w, (nuint)(16 * g));
                a0 = TDot.Add(a0, Vector128.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref x0, 4 * g))).AsByte(), v);
                a1 = TDot.Add(a1, Vector128.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref x1, 4 * g))).AsByte(), v);
                a2 = TDot.Add(a2, Vector128.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref x2, 4 * g))).AsByte(), v);
                a3 = TDot.Add(a3, Vector128.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref x3, 4 * g))).AsByte(), v);
            }

            StorePlanes(in requantizer, a0 + correction, channel, planes, pixels, first, sums);
            if (count > 1) StorePlanes(in requantizer, a1 + correction, channel, planes, pixels, first + 1, sums);
            if (count > 2) StorePlanes(in requantizer, a2 + correction, channel, planes, pixels, first + 2, sums);
            if (count > 3) StorePlanes(in requantizer, a3 + correction, channel, planes, pixels, first + 3, sums);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StorePlanes(in Requantizer requantizer, Vector128<int> sum, int channel, Span<sbyte> planes, int pixels, int pixel, Span<int> scratch)
    {
        if (requantizer.TryApply(channel, sum, out var value))
        {
            planes[pixel] = (sbyte)value.GetElement(0);
            planes[pixels + pixel] = (sbyte)value.GetElement(1);
            planes[2 * pixels + pixel] = (sbyte)value.GetElement(2);
            planes[3 * pixels + pixel] = (sbyte)value.GetElement(3);
            return;
        }

        sum.CopyTo(scratch);
        for (int k = 0; k < Group; k++)
        {
            planes[k * pixels + pixel] = requantizer.Apply(channel + k, scratch[k]);
        }
    }

    /// <summary>
    /// The depthwise conv of one channel's plane into that channel of the NHWC output, 32 output columns per vector:
    /// per output row, the in-image input rows it reads are split into StrideW phase rows on the stack (padding
    /// columns hold the zero point; rows outside the image are skipped, they add 0).
    /// </summary>
    [SkipLocalsInit]
    private static void PlaneVectorized(DepthwiseConv2DParams p, int channel, ReadOnlySpan<sbyte> plane, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias,
        Requantization single, Span<sbyte> output)
    {
        int stride = p.StrideW, taps = p.KernelH * p.KernelW, channels = p.OutputC;
        int length = PhaseRowLength(p);
        Span<sbyte> rows = stackalloc sbyte[p.KernelH * stride * length];
        Span<int> laneBias = stackalloc int[PlaneLanes / 2];
        laneBias.Fill(bias.IsEmpty ? 0 : bias[channel]);
        var requantizer = new Requantizer(single, bias.IsEmpty ? default : laneBias, p.OutputZeroPoint, p.ActMin, p.ActMax);
        Span<int> tapOffset = stackalloc int[taps];
        Span<short> tapWeight = stackalloc short[taps];
        Span<sbyte> values = stackalloc sbyte[PlaneLanes];
        var zp = Vector512.Create((short)p.InputZeroPoint);
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

                var source = plane.Slice(inY * p.InputW, p.InputW);
                for (int phase = 0; phase < stride; phase++)
                {
                    var row = rows.Slice((filterY * stride + phase) * length, length);
                    for (int i = 0; i < length; i++)
                    {
                        int inX = stride * i + phase - p.PadLeft;
                        row[i] = (uint)inX < (uint)p.InputW ? source[inX] : (sbyte)p.InputZeroPoint;
                    }
                }

                for (int filterX = 0; filterX < p.KernelW; filterX++)
                {
                    int reach = filterX * p.DilationW;
                    tapOffset[count] = (filterY * stride + reach % stride) * length + reach / stride;
                    tapWeight[count] = filter[(filterY * p.KernelW + filterX) * channels + channel];
                    count++;
                }
            }

            ref sbyte x = ref MemoryMarshal.GetReference(rows);
            for (int outX = 0; outX < p.OutputW; outX += PlaneLanes)
            {
                // Every tap's row has PlaneLanes elements from outX on (the row length is rounded up to whole vectors).
                Vector512<int> lo = default, hi = default;
                for (int t = 0; t < count; t++)
                {
                    var xs = Avx512BW.ConvertToVector512Int16(Vector256.LoadUnsafe(ref x, (nuint)(tapOffset[t] + outX)));
                    Vector512<short> product = (xs - zp) * Vector512.Create(tapWeight[t]);
                    lo += Avx512F.ConvertToVector512Int32(product.GetLower());
                    hi += Avx512F.ConvertToVector512Int32(product.GetUpper());
                }

                if (requantizer.TryApply(0, lo, out var low) && requantizer.TryApply(0, hi, out var high))
                {
                    Vector256.Create(Avx512F.ConvertToVector128SByte(low), Avx512F.ConvertToVector128SByte(high)).CopyTo(values);
                }
                else
                {
                    for (int i = 0; i < PlaneLanes / 2; i++)
                    {
                        values[i] = requantizer.Apply(0, lo.GetElement(i));
                        values[PlaneLanes / 2 + i] = requantizer.Apply(0, hi.GetElement(i));
                    }
                }

                int columns = Math.Min(PlaneLanes, p.OutputW - outX);
                int index = (outY * p.OutputW + outX) * channels + channel;
                for (int i = 0; i < columns; i++)
                {
                    output[index + i * channels] = values[i];
                }
            }
        }
    }
}
