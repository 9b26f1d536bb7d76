namespace TinyTrain.Kernels;

public static partial class FullyConnected
{
    /// <summary>
    /// The SIMD path of <see cref="ForwardFloat"/>: one <see cref="FloatDot"/> per output, so not bit-identical; within
    /// 2 * (InputDepth - 1) * 2^-24 * (sum |W * x| + |bias|) of the reference. Validated arguments, mask cleared or empty.
    /// </summary>
    private static void ForwardFloatVectorized(
        FullyConnectedParams p, ReadOnlySpan<float> input, ReadOnlySpan<float> filter, ReadOnlySpan<float> bias, Span<float> output,
        float min, float max, Span<byte> mask, VectorWidth width)
    {
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
