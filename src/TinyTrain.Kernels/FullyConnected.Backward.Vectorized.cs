using System.Numerics;

namespace TinyTrain.Kernels;

public static partial class FullyConnected
{
    // The gathered input row of FilterGrad lives on the stack; wider selections use the reference.
    private const int MaxGatheredChannels = 2048;

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
