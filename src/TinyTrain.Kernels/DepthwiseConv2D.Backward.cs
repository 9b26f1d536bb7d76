using System.Numerics;

namespace TinyTrain.Kernels;

/// <summary>
/// Backward of the depthwise conv (paper-notes §2.2), as <see cref="Conv2D"/>'s: accGrad (the accumulator
/// gradient) flows to the input through the transposed depthwise conv and to the filter through the correlation
/// with x - InputZeroPoint. The float overloads serve the fp32 baseline (zero point 0).
/// </summary>
public static partial class DepthwiseConv2D
{
    /// <summary>
    /// inputGrad[iy, ix, ic] = sum over (oy, ox, ky, kx) landing on (iy, ix) and m of accGrad[oy, ox, ic * M + m] *
    /// W[ky, kx, ic * M + m], for int8 or fp32 weights.
    /// </summary>
    internal static void InputGrad<T>(
        DepthwiseConv2DParams p, ReadOnlySpan<float> accGrad, ReadOnlySpan<T> filter, Span<float> inputGrad, VectorWidth width)
        where T : unmanaged, INumberBase<T>
    {
        ConvLike.ValidateInputGrad(p, accGrad.Length, filter, inputGrad.Length);
        if (width == VectorWidth.Scalar || p.DepthMultiplier != 1) InputGradReference(p, accGrad, filter, inputGrad);
        else InputGradVectorized(p, accGrad, filter, inputGrad, width);
    }

    /// <summary>
    /// filterGrad[ky, kx, j] = sum over (oy, ox) with (iy, ix) in the image of accGrad[oy, ox, c] * (x[iy, ix, c] -
    /// InputZeroPoint), c = channels[j], for an int8 or fp32 (zero point 0) input: the selected channels only, laid out
    /// [KernelH, KernelW, channels.Length]. DepthMultiplier must be 1 (every depthwise layer of the paper's models).
    /// </summary>
    internal static void FilterGrad<T>(
        DepthwiseConv2DParams p, ReadOnlySpan<T> input, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> channels, Span<float> filterGrad,
        VectorWidth width)
        where T : unmanaged, INumberBase<T>
    {
        int zeroPoint = ConvLike.ValidateFilterGrad(p, input, accGrad.Length, channels, null, filterGrad.Length, out _);
        if (p.DepthMultiplier != 1)
        {
            throw new ArgumentException($"depthwise filter gradient needs DepthMultiplier 1, got {p.DepthMultiplier}", nameof(p));
        }

        if (width == VectorWidth.Scalar) FilterGradReference(p, input, zeroPoint, accGrad, channels, filterGrad);
        else FilterGradVectorized(p, input, zeroPoint, accGrad, channels, filterGrad, width);
    }

    /// <summary>The spec: a scatter; each input gradient adds its terms in (oy, ox, ky, kx, m) order.</summary>
    private static void InputGradReference<T>(
        DepthwiseConv2DParams p, ReadOnlySpan<float> accGrad, ReadOnlySpan<T> filter, Span<float> inputGrad)
        where T : unmanaged, INumberBase<T>
    {
        int outputC = p.OutputC;
        inputGrad.Clear();
        var window = new ConvWindow(p);
        for (int outY = 0; outY < p.OutputH; outY++)
        {
            for (int outX = 0; outX < p.OutputW; outX++)
            {
                foreach (var tap in window.Taps(outY, outX))
                {
                    for (int inChannel = 0; inChannel < p.InputC; inChannel++)
                    {
                        for (int multiplier = 0; multiplier < p.DepthMultiplier; multiplier++)
                        {
                            int outChannel = inChannel * p.DepthMultiplier + multiplier;
                            float gradient = accGrad[(outY * p.OutputW + outX) * outputC + outChannel];
                            float filterValue = float.CreateTruncating(filter[tap.Index * outputC + outChannel]);
                            inputGrad[tap.Pixel * p.InputC + inChannel] += gradient * filterValue;
                        }
                    }
                }
            }
        }
    }

    /// <summary>The spec: each filter gradient adds its terms in (oy, ox) order.</summary>
    private static void FilterGradReference<T>(
        DepthwiseConv2DParams p, ReadOnlySpan<T> input, float zeroPoint, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> channels,
        Span<float> filterGrad)
        where T : unmanaged, INumberBase<T>
    {
        int selected = channels.Length;
        filterGrad.Clear();
        var window = new ConvWindow(p);
        for (int outY = 0; outY < p.OutputH; outY++)
        {
            for (int outX = 0; outX < p.OutputW; outX++)
            {
                foreach (var tap in window.Taps(outY, outX))
                {
                    for (int j = 0; j < selected; j++)
                    {
                        int channel = channels[j];
                        float gradient = accGrad[(outY * p.OutputW + outX) * p.InputC + channel];
                        float inputValue = float.CreateTruncating(input[tap.Pixel * p.InputC + channel]) - zeroPoint;
                        filterGrad[tap.Index * selected + j] += gradient * inputValue;
                    }
                }
            }
        }
    }
}
