using System.Numerics;

namespace TinyTrain.Kernels;

/// <summary>
/// Backward of the conv (paper-notes §2.2): fp32 gradients with respect to the integer values, straight-through at
/// the rounding. accGrad is the accumulator gradient (<see cref="Requant.AccumulatorGrad"/>: the output gradient
/// through the clamp mask times eff_scale[c]); it flows to the input through the transposed conv and to the filter
/// through the correlation with x - InputZeroPoint. The float overloads serve the fp32 baseline (zero point 0).
/// Padded positions take no gradient and give none.
/// </summary>
public static partial class Conv2D
{
    /// <summary>
    /// inputGrad[iy, ix, ic] = sum over (oy, ox, oc, ky, kx) landing on (iy, ix) of accGrad[oy, ox, oc] * W[oc, ky, kx, ic],
    /// for int8 or fp32 weights.
    /// </summary>
    internal static void InputGrad<T>(Conv2DParams p, ReadOnlySpan<float> accGrad, ReadOnlySpan<T> filter, Span<float> inputGrad, VectorWidth width)
        where T : unmanaged, INumberBase<T>
    {
        ConvLike.ValidateInputGrad(p, accGrad.Length, filter, inputGrad.Length);
        if (width == VectorWidth.Scalar) InputGradReference(p, accGrad, filter, inputGrad);
        else InputGradVectorized(p, accGrad, filter, inputGrad, width);
    }

    /// <summary>
    /// filterGrad[o, ky, kx, j] = sum over (oy, ox) with (iy, ix) in the image of accGrad[oy, ox, firstOutput + o] *
    /// (x[iy, ix, inputChannels[j]] - InputZeroPoint), for an int8 or fp32 (zero point 0) input: the gradient of the
    /// selected input channels only (sparse update), of the whole output channels filterGrad holds from firstOutput on
    /// (null: all of them), laid out [outputs, KernelH, KernelW, inputChannels.Length]. Each element is bit-identical to
    /// the whole gradient's, so a fused update can take the gradient a block at a time.
    /// </summary>
    internal static void FilterGrad<T>(
        Conv2DParams p, ReadOnlySpan<T> input, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> inputChannels, int? firstOutput,
        Span<float> filterGrad, VectorWidth width)
        where T : unmanaged, INumberBase<T>
    {
        int zeroPoint = ConvLike.ValidateFilterGrad(p, input, accGrad.Length, inputChannels, firstOutput, filterGrad.Length, out int outputs);
        int first = firstOutput ?? 0;
        if (width == VectorWidth.Scalar) FilterGradReference(p, input, zeroPoint, accGrad, inputChannels, first, outputs, filterGrad);
        else FilterGradVectorized(p, input, zeroPoint, accGrad, inputChannels, first, outputs, filterGrad, width);
    }

    /// <summary>
    /// The spec: the forward loops with the data flow reversed (a scatter). The float sums are the spec too: each
    /// input gradient adds its terms in (oy, ox, oc, ky, kx) order, one rounding for the product and one for the
    /// sum; the vectorised path adds the same terms in the same order.
    /// </summary>
    private static void InputGradReference<T>(Conv2DParams p, ReadOnlySpan<float> accGrad, ReadOnlySpan<T> filter, Span<float> inputGrad)
        where T : unmanaged, INumberBase<T>
    {
        inputGrad.Clear();
        var window = new ConvWindow(p);
        for (int outY = 0; outY < p.OutputH; outY++)
        {
            for (int outX = 0; outX < p.OutputW; outX++)
            {
                for (int outChannel = 0; outChannel < p.OutputC; outChannel++)
                {
                    float gradient = accGrad[(outY * p.OutputW + outX) * p.OutputC + outChannel];
                    foreach (var tap in window.Taps(outY, outX))
                    {
                        for (int inChannel = 0; inChannel < p.InputC; inChannel++)
                        {
                            float filterValue = float.CreateTruncating(filter[(outChannel * window.Size + tap.Index) * p.InputC + inChannel]);
                            inputGrad[tap.Pixel * p.InputC + inChannel] += gradient * filterValue;
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// The spec: each filter gradient adds its terms in (oy, ox) order. x - zp is exact in float32 (integers below
    /// 2^24), so the int8 kernel equals the fp32 kernel run on the float copy of x - zp bit for bit.
    /// </summary>
    private static void FilterGradReference<T>(
        Conv2DParams p, ReadOnlySpan<T> input, float zeroPoint, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> inputChannels,
        int firstOutput, int outputs, Span<float> filterGrad)
        where T : unmanaged, INumberBase<T>
    {
        int selected = inputChannels.Length;
        filterGrad.Clear();
        var window = new ConvWindow(p);
        for (int outY = 0; outY < p.OutputH; outY++)
        {
            for (int outX = 0; outX < p.OutputW; outX++)
            {
                foreach (var tap in window.Taps(outY, outX))
                {
                    for (int o = 0; o < outputs; o++)
                    {
                        float gradient = accGrad[(outY * p.OutputW + outX) * p.OutputC + firstOutput + o];
                        for (int j = 0; j < selected; j++)
                        {
                            float inputValue = float.CreateTruncating(input[tap.Pixel * p.InputC + inputChannels[j]]) - zeroPoint;
                            filterGrad[(o * window.Size + tap.Index) * selected + j] += gradient * inputValue;
                        }
                    }
                }
            }
        }
    }
}
