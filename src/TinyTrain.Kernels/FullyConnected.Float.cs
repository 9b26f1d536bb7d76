namespace TinyTrain.Kernels;

/// <summary>
/// The fp32 forward of the same fully connected layer, for the fp32 baseline (see <see cref="Conv2D.ForwardFloat"/>):
/// only the shape of <see cref="FullyConnectedParams"/> is read.
/// </summary>
public static partial class FullyConnected
{
    /// <summary>y[b, o] = clamp(sum over i of W[o, i] * x[b, i] + bias[o], min, max).</summary>
    public static void ForwardFloat(
        FullyConnectedParams p, ReadOnlySpan<float> input, ReadOnlySpan<float> filter, ReadOnlySpan<float> bias, Span<float> output,
        float min, float max)
    {
        if (VectorWidths.UseVectorized)
        {
            ForwardFloatVectorized(p, input, filter, bias, output, min, max);
        }
        else
        {
            ForwardFloatReference(p, input, filter, bias, output, min, max);
        }
    }

    /// <summary>The fp32 forward plus the clamp mask (bit = min &lt;= pre-clamp &lt;= max, see <see cref="ClampMask"/>).</summary>
    public static void ForwardFloatWithMask(
        FullyConnectedParams p, ReadOnlySpan<float> input, ReadOnlySpan<float> filter, ReadOnlySpan<float> bias, Span<float> output,
        float min, float max, Span<byte> mask)
    {
        if (VectorWidths.UseVectorized)
        {
            ForwardFloatWithMaskVectorized(p, input, filter, bias, output, min, max, mask);
        }
        else
        {
            ForwardFloatWithMaskReference(p, input, filter, bias, output, min, max, mask);
        }
    }

    public static void ForwardFloatReference(
        FullyConnectedParams p, ReadOnlySpan<float> input, ReadOnlySpan<float> filter, ReadOnlySpan<float> bias, Span<float> output,
        float min, float max)
    {
        ValidateFloat(p, input, filter, bias, output, min, max);
        ForwardFloatReference(p, input, filter, bias, output, min, max, Span<byte>.Empty);
    }

    public static void ForwardFloatWithMaskReference(
        FullyConnectedParams p, ReadOnlySpan<float> input, ReadOnlySpan<float> filter, ReadOnlySpan<float> bias, Span<float> output,
        float min, float max, Span<byte> mask)
    {
        ValidateFloat(p, input, filter, bias, output, min, max);
        ClampMask.Validate(mask, (long)p.Batches * p.OutputDepth, nameof(mask));
        mask.Clear();
        ForwardFloatReference(p, input, filter, bias, output, min, max, mask);
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

    private static void ValidateFloat(
        FullyConnectedParams p, ReadOnlySpan<float> input, ReadOnlySpan<float> filter, ReadOnlySpan<float> bias, ReadOnlySpan<float> output,
        float min, float max)
    {
        ValidateGeometry(p);
        ClampMask.ValidateRange(min, max);
        Check.Length(input, (long)p.Batches * p.InputDepth, nameof(input));
        Check.Length(filter, (long)p.OutputDepth * p.InputDepth, nameof(filter));
        Check.Bias(bias, p.OutputDepth);
        Check.Length(output, (long)p.Batches * p.OutputDepth, nameof(output));
    }
}
