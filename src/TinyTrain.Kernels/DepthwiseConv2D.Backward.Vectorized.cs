using System.Numerics;
using System.Runtime.InteropServices;

namespace TinyTrain.Kernels;

public static partial class DepthwiseConv2D
{
    /// <summary>SIMD path; bit-identical to the reference.</summary>
    public static void InputGradVectorized(DepthwiseConv2DParams p, ReadOnlySpan<float> accGrad, ReadOnlySpan<sbyte> filter, Span<float> inputGrad) =>
        InputGradVectorized(p, accGrad, filter, inputGrad, VectorWidths.Preferred);

    public static void InputGradVectorized(DepthwiseConv2DParams p, ReadOnlySpan<float> accGrad, ReadOnlySpan<float> filter, Span<float> inputGrad) =>
        InputGradVectorized(p, accGrad, filter, inputGrad, VectorWidths.Preferred);

    internal static void InputGradVectorized(
        DepthwiseConv2DParams p, ReadOnlySpan<float> accGrad, ReadOnlySpan<sbyte> filter, Span<float> inputGrad, VectorWidth width)
    {
        ValidateInputGrad(p, accGrad, filter.Length, inputGrad);
        InputGradVectorized<sbyte>(p, accGrad, filter, inputGrad, width);
    }

    internal static void InputGradVectorized(
        DepthwiseConv2DParams p, ReadOnlySpan<float> accGrad, ReadOnlySpan<float> filter, Span<float> inputGrad, VectorWidth width)
    {
        ValidateInputGrad(p, accGrad, filter.Length, inputGrad);
        InputGradVectorized<float>(p, accGrad, filter, inputGrad, width);
    }

    /// <summary>
    /// DepthMultiplier 1: for each output pixel and in-image tap, inputGrad[iy, ix, :] += accGrad[oy, ox, :] .*
    /// W[ky, kx, :], three contiguous channel rows, so every element takes its terms in the reference's (oy, ox,
    /// ky, kx) order. Other multipliers run the reference.
    /// </summary>
    private static void InputGradVectorized<T>(
        DepthwiseConv2DParams p, ReadOnlySpan<float> accGrad, ReadOnlySpan<T> filter, Span<float> inputGrad, VectorWidth width)
        where T : unmanaged, INumberBase<T>
    {
        if (p.DepthMultiplier != 1)
        {
            InputGradReference(p, accGrad, filter, inputGrad);
            return;
        }

        int channels = p.InputC;
        inputGrad.Clear();
        for (int outY = 0; outY < p.OutputH; outY++)
        {
            for (int outX = 0; outX < p.OutputW; outX++)
            {
                ReadOnlySpan<float> gradients = accGrad.Slice((outY * p.OutputW + outX) * channels, channels);
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

                        ReadOnlySpan<T> row = filter.Slice((filterY * p.KernelW + filterX) * channels, channels);
                        Span<float> target = inputGrad.Slice((inY * p.InputW + inX) * channels, channels);
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
    }
}
