namespace TinyTrain.Kernels;

public static partial class FullyConnected
{
    /// <summary>
    /// SIMD path of <see cref="ForwardFloat"/>: one <see cref="FloatDot"/> per output, so not bit-identical; within
    /// 2 * (InputDepth - 1) * 2^-24 * (sum |W * x| + |bias|) of the reference.
    /// </summary>
    public static void ForwardFloatVectorized(
        FullyConnectedParams p, ReadOnlySpan<float> input, ReadOnlySpan<float> filter, ReadOnlySpan<float> bias, Span<float> output,
        float min, float max) =>
        ForwardFloatVectorized(p, input, filter, bias, output, min, max, Span<byte>.Empty, VectorWidths.Preferred);

    public static void ForwardFloatWithMaskVectorized(
        FullyConnectedParams p, ReadOnlySpan<float> input, ReadOnlySpan<float> filter, ReadOnlySpan<float> bias, Span<float> output,
        float min, float max, Span<byte> mask)
    {
        ArgumentNullException.ThrowIfNull(p);
        ClampMask.Validate(mask, (long)p.Batches * p.OutputDepth, nameof(mask));
        mask.Clear();
        ForwardFloatVectorized(p, input, filter, bias, output, min, max, mask, VectorWidths.Preferred);
    }

    /// <summary>mask: validated and cleared by the caller, or empty (records nothing).</summary>
    internal static void ForwardFloatVectorized(
        FullyConnectedParams p, ReadOnlySpan<float> input, ReadOnlySpan<float> filter, ReadOnlySpan<float> bias, Span<float> output,
        float min, float max, Span<byte> mask, VectorWidth width)
    {
        ValidateFloat(p, input, filter, bias, output, min, max);
        int depth = p.InputDepth;
        for (int batch = 0; batch < p.Batches; batch++)
        {
            ReadOnlySpan<float> row = input.Slice(batch * depth, depth);
            for (int outChannel = 0; outChannel < p.OutputDepth; outChannel++)
            {
                float sum = FloatDot.Dot(width, filter.Slice(outChannel * depth, depth), row);
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
