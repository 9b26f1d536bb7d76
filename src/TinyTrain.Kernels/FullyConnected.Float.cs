namespace TinyTrain.Kernels;

/// <summary>
/// The fp32 forward of the same fully connected layer, for the fp32 baseline (see <see cref="Conv2D"/>'s):
/// only the shape of <see cref="FullyConnectedParams"/> is read.
/// </summary>
public static partial class FullyConnected
{
    /// <summary>y[b, o] = clamp(sum over i of W[o, i] * x[b, i] + bias[o], min, max), and with a mask (empty: none) the clamp bits.</summary>
    internal static void ForwardFloat(
        FullyConnectedParams p, ReadOnlySpan<float> input, ReadOnlySpan<float> filter, ReadOnlySpan<float> bias, Span<float> output,
        float min, float max, Span<byte> mask, VectorWidth width)
    {
        ConvLike.ValidateFloat(p, input.Length, filter.Length, bias.Length, output.Length, min, max, mask);
        if (width == VectorWidth.Scalar) ForwardFloatReference(p, input, filter, bias, output, min, max, mask);
        else ForwardFloatVectorized(p, input, filter, bias, output, min, max, mask, width);
    }

    /// <summary>The spec: the sum runs over i from 0, then the bias is added.</summary>
    private static void ForwardFloatReference(
        FullyConnectedParams p, ReadOnlySpan<float> input, ReadOnlySpan<float> filter, ReadOnlySpan<float> bias, Span<float> output,
        float min, float max, Span<byte> mask)
    {
        for (int batch = 0; batch < p.Batches; batch++)
        {
            for (int outChannel = 0; outChannel < p.OutputDepth; outChannel++)
            {
                float sum = 0;
                for (int depth = 0; depth < p.InputDepth; depth++)
                {
                    sum += filter[outChannel * p.InputDepth + depth] * input[batch * p.InputDepth + depth];
                }

                if (!bias.IsEmpty)
                {
                    sum += bias[outChannel];
                }

                int index = batch * p.OutputDepth + outChannel;
                output[index] = ClampMask.Apply(sum, min, max, mask, index);
            }
        }
    }
}
