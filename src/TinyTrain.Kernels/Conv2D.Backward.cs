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
    /// <summary>inputGrad[iy, ix, ic] = sum over (oy, ox, oc, ky, kx) landing on (iy, ix) of accGrad[oy, ox, oc] * W[oc, ky, kx, ic].</summary>
    public static void InputGrad(Conv2DParams p, ReadOnlySpan<float> accGrad, ReadOnlySpan<sbyte> filter, Span<float> inputGrad)
    {
        if (VectorWidths.UseVectorized)
        {
            InputGradVectorized(p, accGrad, filter, inputGrad);
        }
        else
        {
            InputGradReference(p, accGrad, filter, inputGrad);
        }
    }

    /// <summary>The same with fp32 weights.</summary>
    public static void InputGrad(Conv2DParams p, ReadOnlySpan<float> accGrad, ReadOnlySpan<float> filter, Span<float> inputGrad)
    {
        if (VectorWidths.UseVectorized)
        {
            InputGradVectorized(p, accGrad, filter, inputGrad);
        }
        else
        {
            InputGradReference(p, accGrad, filter, inputGrad);
        }
    }

    /// <summary>
    /// filterGrad[oc, ky, kx, j] = sum over (oy, ox) with (iy, ix) in the image of accGrad[oy, ox, oc] * (x[iy, ix,
    /// inputChannels[j]] - InputZeroPoint): the gradient of the selected input channels only (sparse update),
    /// laid out [OutputC, KernelH, KernelW, inputChannels.Length].
    /// </summary>
    public static void FilterGrad(
        Conv2DParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> inputChannels, Span<float> filterGrad)
    {
        if (VectorWidths.UseVectorized)
        {
            FilterGradVectorized(p, input, accGrad, inputChannels, filterGrad);
        }
        else
        {
            FilterGradReference(p, input, accGrad, inputChannels, filterGrad);
        }
    }

    /// <summary>The same with an fp32 input (zero point 0).</summary>
    public static void FilterGrad(
        Conv2DParams p, ReadOnlySpan<float> input, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> inputChannels, Span<float> filterGrad)
    {
        if (VectorWidths.UseVectorized)
        {
            FilterGradVectorized(p, input, accGrad, inputChannels, filterGrad);
        }
        else
        {
            FilterGradReference(p, input, accGrad, inputChannels, filterGrad);
        }
    }

    /// <summary>
    /// The filter gradient of the output channels [firstOutput, firstOutput + filterGrad.Length / (KH * KW * k)) only,
    /// each element bit-identical to the whole gradient's: a fused update takes the gradient a block at a time.
    /// </summary>
    public static void FilterGrad(
        Conv2DParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> inputChannels, int firstOutput, Span<float> filterGrad)
    {
        var outputs = ValidateFilterGrad(p, input.Length, accGrad, inputChannels, firstOutput, filterGrad);
        Check.Int8(p.InputZeroPoint, nameof(p.InputZeroPoint));
        if (VectorWidths.UseVectorized)
        {
            FilterGradVectorized(p, input, p.InputZeroPoint, accGrad, inputChannels, firstOutput, outputs, filterGrad, VectorWidths.Preferred);
        }
        else
        {
            FilterGradReference(p, input, p.InputZeroPoint, accGrad, inputChannels, firstOutput, outputs, filterGrad);
        }
    }

    /// <summary>The same with an fp32 input (zero point 0).</summary>
    public static void FilterGrad(
        Conv2DParams p, ReadOnlySpan<float> input, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> inputChannels, int firstOutput, Span<float> filterGrad)
    {
        var outputs = ValidateFilterGrad(p, input.Length, accGrad, inputChannels, firstOutput, filterGrad);
        if (VectorWidths.UseVectorized)
        {
            FilterGradVectorized(p, input, 0, accGrad, inputChannels, firstOutput, outputs, filterGrad, VectorWidths.Preferred);
        }
        else
        {
            FilterGradReference(p, input, 0, accGrad, inputChannels, firstOutput, outputs, filterGrad);
        }
    }

    /// <summary>The spec of the windowed <see cref="FilterGrad(Conv2DParams, ReadOnlySpan{sbyte}, ReadOnlySpan{float}, ReadOnlySpan{int}, int, Span{float})"/>.</summary>
    public static void FilterGradReference(
        Conv2DParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> inputChannels, int firstOutput, Span<float> filterGrad)
    {
        var outputs = ValidateFilterGrad(p, input.Length, accGrad, inputChannels, firstOutput, filterGrad);
        Check.Int8(p.InputZeroPoint, nameof(p.InputZeroPoint));
        FilterGradReference(p, input, p.InputZeroPoint, accGrad, inputChannels, firstOutput, outputs, filterGrad);
    }

    public static void FilterGradReference(
        Conv2DParams p, ReadOnlySpan<float> input, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> inputChannels, int firstOutput, Span<float> filterGrad)
    {
        var outputs = ValidateFilterGrad(p, input.Length, accGrad, inputChannels, firstOutput, filterGrad);
        FilterGradReference(p, input, 0, accGrad, inputChannels, firstOutput, outputs, filterGrad);
    }

    public static void InputGradReference(Conv2DParams p, ReadOnlySpan<float> accGrad, ReadOnlySpan<sbyte> filter, Span<float> inputGrad)
    {
        ValidateInputGrad(p, accGrad, filter.Length, inputGrad);
        InputGradReference<sbyte>(p, accGrad, filter, inputGrad);
    }

    public static void InputGradReference(Conv2DParams p, ReadOnlySpan<float> accGrad, ReadOnlySpan<float> filter, Span<float> inputGrad)
    {
        ValidateInputGrad(p, accGrad, filter.Length, inputGrad);
        InputGradReference<float>(p, accGrad, filter, inputGrad);
    }

    public static void FilterGradReference(
        Conv2DParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> inputChannels, Span<float> filterGrad)
    {
        ValidateFilterGrad(p, input.Length, accGrad, inputChannels, filterGrad);
        Check.Int8(p.InputZeroPoint, nameof(p.InputZeroPoint));
        FilterGradReference(p, input, p.InputZeroPoint, accGrad, inputChannels, 0, p.OutputC, filterGrad);
    }

    public static void FilterGradReference(
        Conv2DParams p, ReadOnlySpan<float> input, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> inputChannels, Span<float> filterGrad)
    {
        ValidateFilterGrad(p, input.Length, accGrad, inputChannels, filterGrad);
        FilterGradReference(p, input, 0, accGrad, inputChannels, 0, p.OutputC, filterGrad);
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
        for (int outY = 0; outY < p.OutputH; outY++)
        {
            int inYOrigin = outY * p.StrideH - p.PadTop;
            for (int outX = 0; outX < p.OutputW; outX++)
            {
                int inXOrigin = outX * p.StrideW - p.PadLeft;
                for (int outChannel = 0; outChannel < p.OutputC; outChannel++)
                {
                    float gradient = accGrad[(outY * p.OutputW + outX) * p.OutputC + outChannel];
                    for (int filterY = 0; filterY < p.KernelH; filterY++)
                    {
                        int inY = inYOrigin + p.DilationH * filterY;
                        for (int filterX = 0; filterX < p.KernelW; filterX++)
                        {
                            int inX = inXOrigin + p.DilationW * filterX;
                            if (inY < 0 || inY >= p.InputH || inX < 0 || inX >= p.InputW)
                            {
                                continue;
                            }

                            for (int inChannel = 0; inChannel < p.InputC; inChannel++)
                            {
                                float filterValue = float.CreateTruncating(filter[((outChannel * p.KernelH + filterY) * p.KernelW + filterX) * p.InputC + inChannel]);
                                inputGrad[(inY * p.InputW + inX) * p.InputC + inChannel] += gradient * filterValue;
                            }
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
        for (int outY = 0; outY < p.OutputH; outY++)
        {
            for (int outX = 0; outX < p.OutputW; outX++)
            {
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

                        for (int o = 0; o < outputs; o++)
                        {
                            float gradient = accGrad[(outY * p.OutputW + outX) * p.OutputC + firstOutput + o];
                            for (int j = 0; j < selected; j++)
                            {
                                float inputValue = float.CreateTruncating(input[(inY * p.InputW + inX) * p.InputC + inputChannels[j]]) - zeroPoint;
                                filterGrad[((o * p.KernelH + filterY) * p.KernelW + filterX) * selected + j] += gradient * inputValue;
                            }
                        }
                    }
                }
            }
        }
    }

    private static void ValidateInputGrad(Conv2DParams p, ReadOnlySpan<float> accGrad, int filterLength, ReadOnlySpan<float> inputGrad)
    {
        ValidateGeometry(p);
        Check.Length(accGrad, p.OutputLength, nameof(accGrad));
        Check.Count(filterLength, p.FilterLength, "filter");
        Check.Length(inputGrad, p.InputLength, nameof(inputGrad));
    }

    private static void ValidateFilterGrad(
        Conv2DParams p, int inputLength, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> inputChannels, ReadOnlySpan<float> filterGrad)
    {
        ValidateGeometry(p);
        Check.Count(inputLength, p.InputLength, "input");
        Check.Length(accGrad, p.OutputLength, nameof(accGrad));
        Check.Channels(inputChannels, p.InputC, nameof(inputChannels));
        Check.Length(filterGrad, (long)p.OutputC * p.KernelH * p.KernelW * inputChannels.Length, nameof(filterGrad));
    }

    /// <summary>Checks a window of whole output channels; returns how many it covers.</summary>
    private static int ValidateFilterGrad(
        Conv2DParams p, int inputLength, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> inputChannels, int firstOutput, ReadOnlySpan<float> filterGrad)
    {
        ValidateGeometry(p);
        Check.Count(inputLength, p.InputLength, "input");
        Check.Length(accGrad, p.OutputLength, nameof(accGrad));
        Check.Channels(inputChannels, p.InputC, nameof(inputChannels));
        return Check.OutputWindow(filterGrad.Length, p.KernelH * p.KernelW * inputChannels.Length, firstOutput, p.OutputC, nameof(filterGrad));
    }
}
