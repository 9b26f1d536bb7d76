using System.Numerics;

namespace TinyTrain.Kernels;

/// <summary>
/// Backward of the fully connected layer (paper-notes §2.2), fp32 gradients with respect to the integer values:
/// inputGrad = accGrad x (W - FilterZeroPoint), filterGrad = accGrad^T x (x - InputZeroPoint) for the selected
/// input channels. The float overloads serve the fp32 baseline (zero points 0).
/// </summary>
public static partial class FullyConnected
{
    /// <summary>inputGrad[b, i] = sum over o of accGrad[b, o] * (W[o, i] - FilterZeroPoint).</summary>
    public static void InputGrad(FullyConnectedParams p, ReadOnlySpan<float> accGrad, ReadOnlySpan<sbyte> filter, Span<float> inputGrad)
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

    /// <summary>The same with fp32 weights (no zero point).</summary>
    public static void InputGrad(FullyConnectedParams p, ReadOnlySpan<float> accGrad, ReadOnlySpan<float> filter, Span<float> inputGrad)
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
    /// filterGrad[o, j] = sum over b of accGrad[b, o] * (x[b, inputChannels[j]] - InputZeroPoint), laid out
    /// [OutputDepth, inputChannels.Length].
    /// </summary>
    public static void FilterGrad(
        FullyConnectedParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> inputChannels, Span<float> filterGrad)
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
        FullyConnectedParams p, ReadOnlySpan<float> input, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> inputChannels, Span<float> filterGrad)
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
    /// The filter gradient of outputs [firstOutput, firstOutput + filterGrad.Length / k) only, each element
    /// bit-identical to the whole gradient's: a fused update takes the gradient a block at a time.
    /// </summary>
    public static void FilterGrad(
        FullyConnectedParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> inputChannels, int firstOutput, Span<float> filterGrad)
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
        FullyConnectedParams p, ReadOnlySpan<float> input, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> inputChannels, int firstOutput, Span<float> filterGrad)
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

    /// <summary>The spec of the windowed filter gradient.</summary>
    public static void FilterGradReference(
        FullyConnectedParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> inputChannels, int firstOutput, Span<float> filterGrad)
    {
        var outputs = ValidateFilterGrad(p, input.Length, accGrad, inputChannels, firstOutput, filterGrad);
        Check.Int8(p.InputZeroPoint, nameof(p.InputZeroPoint));
        FilterGradReference(p, input, p.InputZeroPoint, accGrad, inputChannels, firstOutput, outputs, filterGrad);
    }

    public static void FilterGradReference(
        FullyConnectedParams p, ReadOnlySpan<float> input, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> inputChannels, int firstOutput, Span<float> filterGrad)
    {
        var outputs = ValidateFilterGrad(p, input.Length, accGrad, inputChannels, firstOutput, filterGrad);
        FilterGradReference(p, input, 0, accGrad, inputChannels, firstOutput, outputs, filterGrad);
    }

    public static void InputGradReference(FullyConnectedParams p, ReadOnlySpan<float> accGrad, ReadOnlySpan<sbyte> filter, Span<float> inputGrad)
    {
        ValidateInputGrad(p, accGrad, filter.Length, inputGrad);
        Check.Int8(p.FilterZeroPoint, nameof(p.FilterZeroPoint));
        InputGradReference(p, accGrad, filter, p.FilterZeroPoint, inputGrad);
    }

    public static void InputGradReference(FullyConnectedParams p, ReadOnlySpan<float> accGrad, ReadOnlySpan<float> filter, Span<float> inputGrad)
    {
        ValidateInputGrad(p, accGrad, filter.Length, inputGrad);
        InputGradReference(p, accGrad, filter, 0, inputGrad);
    }

    public static void FilterGradReference(
        FullyConnectedParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> inputChannels, Span<float> filterGrad)
    {
        ValidateFilterGrad(p, input.Length, accGrad, inputChannels, filterGrad);
        Check.Int8(p.InputZeroPoint, nameof(p.InputZeroPoint));
        FilterGradReference(p, input, p.InputZeroPoint, accGrad, inputChannels, 0, p.OutputDepth, filterGrad);
    }

    public static void FilterGradReference(
        FullyConnectedParams p, ReadOnlySpan<float> input, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> inputChannels, Span<float> filterGrad)
    {
        ValidateFilterGrad(p, input.Length, accGrad, inputChannels, filterGrad);
        FilterGradReference(p, input, 0, accGrad, inputChannels, 0, p.OutputDepth, filterGrad);
    }

    /// <summary>The spec: each input gradient adds its terms in o order (W - zp is exact in float32).</summary>
    private static void InputGradReference<T>(
        FullyConnectedParams p, ReadOnlySpan<float> accGrad, ReadOnlySpan<T> filter, float zeroPoint, Span<float> inputGrad)
        where T : unmanaged, INumberBase<T>
    {
        inputGrad.Clear();
        for (int batch = 0; batch < p.Batches; batch++)
        {
            for (int outChannel = 0; outChannel < p.OutputDepth; outChannel++)
            {
                float gradient = accGrad[batch * p.OutputDepth + outChannel];
                for (int depth = 0; depth < p.InputDepth; depth++)
                {
                    float filterValue = float.CreateTruncating(filter[outChannel * p.InputDepth + depth]) - zeroPoint;
                    inputGrad[batch * p.InputDepth + depth] += gradient * filterValue;
                }
            }
        }
    }

    /// <summary>The spec: each filter gradient adds its terms in batch order.</summary>
    private static void FilterGradReference<T>(
        FullyConnectedParams p, ReadOnlySpan<T> input, float zeroPoint, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> inputChannels,
        int firstOutput, int outputs, Span<float> filterGrad)
        where T : unmanaged, INumberBase<T>
    {
        int selected = inputChannels.Length;
        filterGrad.Clear();
        for (int batch = 0; batch < p.Batches; batch++)
        {
            for (int o = 0; o < outputs; o++)
            {
                float gradient = accGrad[batch * p.OutputDepth + firstOutput + o];
                for (int j = 0; j < selected; j++)
                {
                    float inputValue = float.CreateTruncating(input[batch * p.InputDepth + inputChannels[j]]) - zeroPoint;
                    filterGrad[o * selected + j] += gradient * inputValue;
                }
            }
        }
    }

    private static void ValidateInputGrad(FullyConnectedParams p, ReadOnlySpan<float> accGrad, int filterLength, ReadOnlySpan<float> inputGrad)
    {
        ValidateGeometry(p);
        Check.Length(accGrad, (long)p.Batches * p.OutputDepth, nameof(accGrad));
        Check.Count(filterLength, (long)p.OutputDepth * p.InputDepth, "filter");
        Check.Length(inputGrad, (long)p.Batches * p.InputDepth, nameof(inputGrad));
    }

    private static void ValidateFilterGrad(
        FullyConnectedParams p, int inputLength, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> inputChannels, ReadOnlySpan<float> filterGrad)
    {
        ValidateGeometry(p);
        Check.Count(inputLength, (long)p.Batches * p.InputDepth, "input");
        Check.Length(accGrad, (long)p.Batches * p.OutputDepth, nameof(accGrad));
        Check.Channels(inputChannels, p.InputDepth, nameof(inputChannels));
        Check.Length(filterGrad, (long)p.OutputDepth * inputChannels.Length, nameof(filterGrad));
    }

    private static int ValidateFilterGrad(
        FullyConnectedParams p, int inputLength, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> inputChannels, int firstOutput, ReadOnlySpan<float> filterGrad)
    {
        ValidateGeometry(p);
        Check.Count(inputLength, (long)p.Batches * p.InputDepth, "input");
        Check.Length(accGrad, (long)p.Batches * p.OutputDepth, nameof(accGrad));
        Check.Channels(inputChannels, p.InputDepth, nameof(inputChannels));
        return Check.OutputWindow(filterGrad.Length, inputChannels.Length, firstOutput, p.OutputDepth, nameof(filterGrad));
    }
}
