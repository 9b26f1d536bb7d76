using System.Numerics;
using System.Runtime.InteropServices;

namespace TinyTrain.Kernels;

public static partial class Conv2D
{
    // The gathered input row of FilterGrad lives on the stack; wider selections use the reference.
    private const int MaxGatheredChannels = 2048;

    /// <summary>
    /// The reference's loops with the innermost input-channel loop as one <see cref="Axpy"/> over the contiguous
    /// filter row W[oc, ky, kx, :] and input-gradient row: each element still takes its terms in (oy, ox, oc, ky,
    /// kx) order. A zero gradient is skipped: adding +-0 to a partial sum that is never -0 (it starts at +0, and
    /// x + -x is +0) changes nothing, and masked-out outputs make zeros common.
    /// </summary>
    private static void InputGradVectorized<T>(
        Conv2DParams p, ReadOnlySpan<float> accGrad, ReadOnlySpan<T> filter, Span<float> inputGrad, VectorWidth width)
        where T : unmanaged, INumberBase<T>
    {
        inputGrad.Clear();
        int channels = p.InputC;
        var window = new ConvWindow(p);
        for (int outY = 0; outY < p.OutputH; outY++)
        {
            for (int outX = 0; outX < p.OutputW; outX++)
            {
                for (int outChannel = 0; outChannel < p.OutputC; outChannel++)
                {
                    float gradient = accGrad[(outY * p.OutputW + outX) * p.OutputC + outChannel];
                    if (gradient == 0)
                    {
                        continue;
                    }

                    for (int filterY = 0; filterY < p.KernelH; filterY++)
                    {
                        int inY = outY * p.StrideH - p.PadTop + p.DilationH * filterY;
                        for (int filterX = 0; filterX < p.KernelW; filterX++)
                        {
                            int inX = outX * p.StrideW - p.PadLeft + p.DilationW * filterX;
                            if (inY < 0 || inY >= p.InputH || inX < 0 || inX >= p.InputW)
                            {
                                continue;
                            }

                            ReadOnlySpan<T> row = filter.Slice(((outChannel * p.KernelH + filterY) * p.KernelW + filterX) * channels, channels);
                            Span<float> target = inputGrad.Slice((inY * p.InputW + inX) * channels, channels);
                            AxpyRow(width, gradient, row, 0, target);
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Per in-image tap, the selected channels of x - zp are gathered once into a stack row, then every output
    /// channel adds gradient * row to its filter-gradient row: each element still takes its terms in (oy, ox)
    /// order. Zero gradients are skipped as in <see cref="InputGradVectorized{T}"/>.
    /// </summary>
    private static void FilterGradVectorized<T>(
        Conv2DParams p, ReadOnlySpan<T> input, float zeroPoint, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> inputChannels,
        int firstOutput, int outputs, Span<float> filterGrad, VectorWidth width)
        where T : unmanaged, INumberBase<T>
    {
        int selected = inputChannels.Length;
        if (selected > MaxGatheredChannels)
        {
            FilterGradReference(p, input, zeroPoint, accGrad, inputChannels, firstOutput, outputs, filterGrad);
            return;
        }

        filterGrad.Clear();
        Span<float> gathered = stackalloc float[selected];
        var window = new ConvWindow(p);
        for (int outY = 0; outY < p.OutputH; outY++)
        {
            for (int outX = 0; outX < p.OutputW; outX++)
            {
                ReadOnlySpan<float> gradients = accGrad.Slice((outY * p.OutputW + outX) * p.OutputC + firstOutput, outputs);
                foreach (var tap in window.Taps(outY, outX))
                {
                    Gather(input.Slice(tap.Pixel * p.InputC, p.InputC), zeroPoint, inputChannels, gathered);
                    for (int o = 0; o < outputs; o++)
                    {
                        float gradient = gradients[o];
                        if (gradient != 0)
                        {
                            Axpy.Float(width, gradient, gathered, filterGrad.Slice((o * window.Size + tap.Index) * selected, selected));
                        }
                    }
                }
            }
        }
    }

    /// <summary>y += a * (row - zeroPoint) for an int8 or fp32 row.</summary>
    internal static void AxpyRow<T>(VectorWidth width, float a, ReadOnlySpan<T> row, int zeroPoint, Span<float> y)
        where T : unmanaged, INumberBase<T>
    {
        if (typeof(T) == typeof(sbyte))
        {
            Axpy.Int8(width, a, MemoryMarshal.Cast<T, sbyte>(row), zeroPoint, y);
        }
        else
        {
            Axpy.Float(width, a, MemoryMarshal.Cast<T, float>(row), y);
        }
    }

    /// <summary>gathered[j] = (float)pixel[channels[j]] - zeroPoint, the reference's expression.</summary>
    internal static void Gather<T>(ReadOnlySpan<T> pixel, float zeroPoint, ReadOnlySpan<int> channels, Span<float> gathered)
        where T : unmanaged, INumberBase<T>
    {
        for (int j = 0; j < channels.Length; j++)
        {
            gathered[j] = float.CreateTruncating(pixel[channels[j]]) - zeroPoint;
        }
    }
}
