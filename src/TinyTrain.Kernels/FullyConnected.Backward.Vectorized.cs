using System.Numerics;

namespace TinyTrain.Kernels;

public static partial class FullyConnected
{
    // The gathered input row of FilterGrad lives on the stack; wider selections use the reference.
    private const int MaxGatheredChannels = 2048;

    /// <summary>SIMD path; bit-identical to the reference.</summary>
    public static void InputGradVectorized(FullyConnectedParams p, ReadOnlySpan<float> accGrad, ReadOnlySpan<sbyte> filter, Span<float> inputGrad) =>
        InputGradVectorized(p, accGrad, filter, inputGrad, VectorWidths.Preferred);

    public static void InputGradVectorized(FullyConnectedParams p, ReadOnlySpan<float> accGrad, ReadOnlySpan<float> filter, Span<float> inputGrad) =>
        InputGradVectorized(p, accGrad, filter, inputGrad, VectorWidths.Preferred);

    internal static void InputGradVectorized(
        FullyConnectedParams p, ReadOnlySpan<float> accGrad, ReadOnlySpan<sbyte> filter, Span<float> inputGrad, VectorWidth width)
    {
        ValidateInputGrad(p, accGrad, filter.Length, inputGrad);
        Check.Int8(p.FilterZeroPoint, nameof(p.FilterZeroPoint));
        InputGradVectorized(p, accGrad, filter, p.FilterZeroPoint, inputGrad, width);
    }

    internal static void InputGradVectorized(
        FullyConnectedParams p, ReadOnlySpan<float> accGrad, ReadOnlySpan<float> filter, Span<float> inputGrad, VectorWidth width)
    {
        ValidateInputGrad(p, accGrad, filter.Length, inputGrad);
        InputGradVectorized(p, accGrad, filter, 0, inputGrad, width);
    }

    /// <summary>SIMD path; bit-identical to the reference.</summary>
    public static void FilterGradVectorized(
        FullyConnectedParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> inputChannels, Span<float> filterGrad) =>
        FilterGradVectorized(p, input, accGrad, inputChannels, filterGrad, VectorWidths.Preferred);

    public static void FilterGradVectorized(
        FullyConnectedParams p, ReadOnlySpan<float> input, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> inputChannels, Span<float> filterGrad) =>
        FilterGradVectorized(p, input, accGrad, inputChannels, filterGrad, VectorWidths.Preferred);

    internal static void FilterGradVectorized(
        FullyConnectedParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> inputChannels, Span<float> filterGrad,
        VectorWidth width)
    {
        ValidateFilterGrad(p, input.Length, accGrad, inputChannels, filterGrad);
        Check.Int8(p.InputZeroPoint, nameof(p.InputZeroPoint));
        FilterGradVectorized(p, input, p.InputZeroPoint, accGrad, inputChannels, 0, p.OutputDepth, filterGrad, width);
    }

    internal static void FilterGradVectorized(
        FullyConnectedParams p, ReadOnlySpan<float> input, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> inputChannels, Span<float> filterGrad,
        VectorWidth width)
    {
        ValidateFilterGrad(p, input.Length, accGrad, inputChannels, filterGrad);
        FilterGradVectorized(p, input, 0, accGrad, inputChannels, 0, p.OutputDepth, filterGrad, width);
    }

    /// <summary>
    /// One <see cref="Axpy"/> per (batch, output) over the filter row, so every input gradient takes its terms in
    /// the reference's o order; zero gradients are skipped (see <see cref="Conv2D"/>'s InputGradVectorized).
    /// </summary>
    private static void InputGradVectorized<T>(
        FullyConnectedParams p, ReadOnlySpan<float> accGrad, ReadOnlySpan<T> filter, int zeroPoint, Span<float> inputGrad, VectorWidth width)
        where T : unmanaged, INumberBase<T>
    {
        int depth = p.InputDepth;
        inputGrad.Clear();
        for (int batch = 0; batch < p.Batches; batch++)
        {
            Span<float> target = inputGrad.Slice(batch * depth, depth);
            for (int outChannel = 0; outChannel < p.OutputDepth; outChannel++)
            {
                float gradient = accGrad[batch * p.OutputDepth + outChannel];
                if (gradient != 0)
                {
                    Conv2D.AxpyRow(width, gradient, filter.Slice(outChannel * depth, depth), zeroPoint, target);
                }
            }
        }
    }

    /// <summary>Per batch row, the selected x - zp are gathered once, then each output adds gradient * row (batch order kept).</summary>
    private static void FilterGradVectorized<T>(
        FullyConnectedParams p, ReadOnlySpan<T> input, float zeroPoint, ReadOnlySpan<float> accGrad, ReadOnlySpan<int> inputChannels,
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
        for (int batch = 0; batch < p.Batches; batch++)
        {
            Conv2D.Gather(input.Slice(batch * p.InputDepth, p.InputDepth), zeroPoint, inputChannels, gathered);
            for (int o = 0; o < outputs; o++)
            {
                float gradient = accGrad[batch * p.OutputDepth + firstOutput + o];
                if (gradient != 0)
                {
                    Axpy.Float(width, gradient, gathered, filterGrad.Slice(o * selected, selected));
                }
            }
        }
    }
}
