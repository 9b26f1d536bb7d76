using System.Numerics;
using System.Runtime.InteropServices;

namespace TinyTrain.Kernels;

public static partial class DepthwiseConv2D
{
    /// <summary>
    /// DepthMultiplier 1: for each output pixel and in-image tap, inputGrad[iy, ix, :] += accGrad[oy, ox, :] .*
    /// W[ky, kx, :], three contiguous channel rows, so every element takes its terms in the reference's (oy, ox,
    /// ky, kx) order. (Other multipliers run the reference.)
    /// </summary>
    private static void InputGradVectorized<T>(
        DepthwiseConv2DParams p, ReadOnlySpan<float> accGrad, ReadOnlySpan<T> filter, Span<float> inputGrad, VectorWidth width)
        where T : unmanaged, INumberBase<T>
    {
        int channels = p.InputC;
        inputGrad.Clear();
        var window = new ConvWindow(p);
        for (int outY = 0; outY < p.OutputH; outY++)
        {
            for (int outX = 0; outX < p.OutputW; outX++)
            {
                ReadOnlySpan<float> gradients = accGrad.Slice((outY * p.OutputW + outX) * channels, channels);
                foreach (var tap in window.Taps(outY, outX))
                {
                    ReadOnlySpan<T> row = filter.Slice(tap.Index * channels, channels);
                    Span<float> target = inputGrad.Slice(tap.Pixel * channels, channels);
                    if (typeof(T) == typeof(sbyte))
                    {
                        Axpy.Pointwise(width, gradients, MemoryMarshal.Cast<T, sbyte>(row), target);
                    }
                    else
                    {
                        Axpy.Pointwise(width, gradients, MemoryMarshal.Cast<T, float>(row), target);
                    }
                }
            }
        }
    }

    // Run boundaries of the channel selection live on the stack up to this many selected channels.
    private const int MaxStackRuns = 1024;

    /// <summary>
    /// The selection is split once into maximal runs of consecutive channels (channels[j + 1] = channels[j] + 1);
    /// per output pixel and in-image tap, each run is one lane-wise <see cref="Axpy.Pointwise(VectorWidth,
    /// ReadOnlySpan{float}, ReadOnlySpan{sbyte}, int, Span{float})"/>: filterGrad[ky, kx, j..] += accGrad[oy, ox,
    /// c..] .* (x[iy, ix, c..] - zp) over three contiguous rows. Every element still takes its terms in the
    /// reference's (oy, ox) order, as gradient * (x - zp) rounded, then added (no fused multiply-add); x - zp is
    /// exact in float32 for int8 x and an int8 zero point, and for fp32 x the zero point is 0 (x - 0 = x). A
    /// scattered selection (runs of one) degrades to the scalar tail of each call, i.e. to the reference's loop.
    /// </summary>
    private static void FilterGradVectorized<T>(
        DepthwiseConv2DParams p, ReadOnlySpan<T> input, int zeroPoint, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> channels,
        Span<float> filterGrad, VectorWidth width)
        where T : unmanaged, INumberBase<T>
    {
        int selected = channels.Length;
        filterGrad.Clear();
        if (selected == 0)
        {
            return;
        }

        Span<int> runStarts = selected < MaxStackRuns ? stackalloc int[selected + 1] : new int[selected + 1];
        int runCount = 0;
        for (int j = 0; j < selected; j++)
        {
            if (j == 0 || channels[j] != channels[j - 1] + 1)
            {
                runStarts[runCount++] = j;
            }
        }

        runStarts[runCount] = selected;
        int inputC = p.InputC;
        var window = new ConvWindow(p);
        for (int outY = 0; outY < p.OutputH; outY++)
        {
            for (int outX = 0; outX < p.OutputW; outX++)
            {
                ReadOnlySpan<float> gradients = accGrad.Slice((outY * p.OutputW + outX) * inputC, inputC);
                foreach (var tap in window.Taps(outY, outX))
                {
                    ReadOnlySpan<T> pixel = input.Slice(tap.Pixel * inputC, inputC);
                    Span<float> row = filterGrad.Slice(tap.Index * selected, selected);
                    for (int run = 0; run < runCount; run++)
                    {
                        int start = runStarts[run], length = runStarts[run + 1] - start, channel = channels[start];
                        Span<float> target = row.Slice(start, length);
                        if (typeof(T) == typeof(sbyte))
                        {
                            Axpy.Pointwise(
                                width, gradients.Slice(channel, length), MemoryMarshal.Cast<T, sbyte>(pixel).Slice(channel, length), zeroPoint, target);
                        }
                        else
                        {
                            Axpy.Pointwise(width, gradients.Slice(channel, length), MemoryMarshal.Cast<T, float>(pixel).Slice(channel, length), target);
                        }
                    }
                }
            }
        }
    }
}
