using System.Runtime.Intrinsics;

namespace TinyTrain.Kernels;

public static partial class Conv2D
{
    // Window positions a stack-allocated segment list may hold (3 ints each); larger kernels use the reference.
    private const int MaxVectorWindowTaps = 256;

    // Float mode needs the exact sum: int32 lanes are exact while taps * 32640 < 2^31.
    private const int MaxExactTaps = 1 << 16;

    /// <summary>Whether the vectorised path's int32 lanes hold this conv's sums exactly (and its window fits the stack); else the reference runs.</summary>
    internal static bool FitsInt32Lanes(Conv2DParams p)
    {
        int taps = p.KernelH * p.KernelW;
        return taps <= MaxVectorWindowTaps && (p.Requant.Mode != RequantMode.Float || (long)taps * p.InputC <= MaxExactTaps);
    }

    /// <summary>
    /// Each output pixel's window is a list of contiguous runs (one per in-image filter row when DilationW is 1,
    /// so a 1x1 conv is a single run of InputC bytes). Output channels go four at a time through
    /// <see cref="Int8DotProduct.Dot4"/>, sharing the loads of x; the last block overlaps the previous one so
    /// OutputC need not be a multiple of 4 (the overlapped channels are recomputed to the same values, and OR the
    /// same mask bits twice). The four results are requantised together (<see cref="Requantizer.TryStore4"/>) where
    /// the vector form applies. Validated arguments that <see cref="FitsInt32Lanes"/>, mask cleared or empty.
    /// </summary>
    private static void ForwardVectorized(
        Conv2DParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias, Span<sbyte> output,
        Span<byte> mask, VectorWidth width)
    {
        int taps = p.KernelH * p.KernelW;
        var requantizer = new Requantizer(p.Requant, bias, p.OutputZeroPoint, p.ActMin, p.ActMax);
        Span<int> segments = stackalloc int[3 * taps];
        Span<int> sums = stackalloc int[4];
        int filterStride = taps * p.InputC;
        int lastBlock = Math.Max(p.OutputC - 4, 0);
        int lastChannel = p.OutputC - 1;
        for (int outY = 0; outY < p.OutputH; outY++)
        {
            for (int outX = 0; outX < p.OutputW; outX++)
            {
                ReadOnlySpan<int> window = segments[..BuildSegments(p, outY, outX, segments)];
                int pixelIndex = (outY * p.OutputW + outX) * p.OutputC;
                Span<sbyte> pixel = output.Slice(pixelIndex, p.OutputC);
                for (int block = 0; block < p.OutputC; block += 4)
                {
                    int c0 = Math.Min(block, lastBlock);
                    int c1 = Math.Min(c0 + 1, lastChannel);
                    int c2 = Math.Min(c0 + 2, lastChannel);
                    int c3 = Math.Min(c0 + 3, lastChannel);
                    Int8DotProduct.Dot4(
                        width, input, filter, window,
                        c0 * filterStride, c1 * filterStride, c2 * filterStride, c3 * filterStride,
                        p.InputZeroPoint, sums);
                    if (c3 == c0 + 3 && requantizer.TryStore4(c0, Vector128.Create((ReadOnlySpan<int>)sums), pixel, mask, pixelIndex))
                    {
                        continue;
                    }

                    pixel[c0] = requantizer.Apply(c0, sums[0], mask, pixelIndex + c0);
                    pixel[c1] = requantizer.Apply(c1, sums[1], mask, pixelIndex + c1);
                    pixel[c2] = requantizer.Apply(c2, sums[2], mask, pixelIndex + c2);
                    pixel[c3] = requantizer.Apply(c3, sums[3], mask, pixelIndex + c3);
                }
            }
        }
    }

    /// <summary>Writes (inputStart, filterStart, length) triples for the in-image part of one window.</summary>
    internal static int BuildSegments(Conv2DParams p, int outY, int outX, Span<int> segments)
    {
        int count = 0;
        int inYOrigin = outY * p.StrideH - p.PadTop;
        int inXOrigin = outX * p.StrideW - p.PadLeft;
        for (int filterY = 0; filterY < p.KernelH; filterY++)
        {
            int inY = inYOrigin + p.DilationH * filterY;
            if (inY < 0 || inY >= p.InputH)
            {
                continue;
            }

            if (p.DilationW == 1)
            {
                // Filter columns [first, last) land inside the image and are contiguous in both tensors.
                int first = Math.Max(0, -inXOrigin);
                int last = Math.Min(p.KernelW, p.InputW - inXOrigin);
                if (first < last)
                {
                    segments[count++] = (inY * p.InputW + inXOrigin + first) * p.InputC;
                    segments[count++] = (filterY * p.KernelW + first) * p.InputC;
                    segments[count++] = (last - first) * p.InputC;
                }

                continue;
            }

            for (int filterX = 0; filterX < p.KernelW; filterX++)
            {
                int inX = inXOrigin + p.DilationW * filterX;
                if (inX >= 0 && inX < p.InputW)
                {
                    segments[count++] = (inY * p.InputW + inX) * p.InputC;
                    segments[count++] = (filterY * p.KernelW + filterX) * p.InputC;
                    segments[count++] = p.InputC;
                }
            }
        }

        return count;
    }
}
