using System.Numerics;

namespace TinyTrain.Kernels;

/// <summary>
/// Backward of the fully connected layer (paper-notes §2.2), fp32 gradients with respect to the integer values:
/// inputGrad = accGrad x (W - FilterZeroPoint), filterGrad = accGrad^T x (x - InputZeroPoint) for the selected
/// input channels. The float overloads serve the fp32 baseline (zero points 0).
/// </summary>
public static partial class FullyConnected
{
    /// <summary>inputGrad[b, i] = sum over o of accGrad[b, o] * (W[o, i] - FilterZeroPoint), for int8 or fp32 (zero point 0) weights.</summary>
    internal static void InputGrad<T>(
        FullyConnectedParams p, ReadOnlySpan<float> accGrad, ReadOnlySpan<T> filter, Span<float> inputGrad, VectorWidth width)
        where T : unmanaged, INumberBase<T>
    {
        int zeroPoint = ConvLike.ValidateInputGrad(p, accGrad.Length, filter, inputGrad.Length);
        if (width == VectorWidth.Scalar) InputGradReference(p, accGrad, filter, zeroPoint, inputGrad);
        else InputGradVectorized(p, accGrad, filter, zeroPoint, inputGrad, width);
    }

    /// <summary>
    /// filterGrad[o, j] = sum over b of accGrad[b, firstOutput + o] * (x[b, inputChannels[j]] - InputZeroPoint), for an
    /// int8 or fp32 (zero point 0) input, of the whole outputs filterGrad holds from firstOutput on (null: all of them),
    /// laid out [outputs, inputChannels.Length]; each element bit-identical to the whole gradient's.
    /// </summary>
    internal static void FilterGrad<T>(
        FullyConnectedParams p, ReadOnlySpan<T> input, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> inputChannels, int? firstOutput,
        Span<float> filterGrad, VectorWidth width)
        where T : unmanaged, INumberBase<T>
    {
        int zeroPoint = ConvLike.ValidateFilterGrad(p, input, accGrad.Length, inputChannels, firstOutput, filterGrad.Length, out int outputs);
        int first = firstOutput ?? 0;
        if (width == VectorWidth.Scalar) FilterGradReference(p, input, zeroPoint, accGrad, inputChannels, first, outputs, filterGrad);
        else FilterGradVectorized(p, input, zeroPoint, accGrad, inputChannels, first, outputs, filterGrad, width);
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
}
