namespace TinyTrain.Kernels;

/// <summary>
/// int8 fully connected, filter [OutputDepth, InputDepth] (see <see cref="FullyConnectedParams"/>). In FixedPoint
/// mode, bit-exact with TFLite Micro's reference_integer_ops::FullyConnected (one requantisation entry:
/// per-tensor, with filter offset) or FullyConnectedPerChannel (one entry per output; TFLite requires
/// FilterZeroPoint 0 there, and subtracting 0 changes nothing). Entry points take a <see cref="VectorWidth"/> as
/// <see cref="Conv2D"/>'s do.
/// </summary>
public static partial class FullyConnected
{
    /// <summary>
    /// y[b, o] = requant(sum_i (W[o, i] - fzp) * (x[b, i] - xzp) + bias[o]), and with a mask (empty: none) the clamp
    /// bits. The sum is exact in int64. |(W - fzp) * (x - xzp)| &lt;= 255 * 255 = 65025, so TFLite's int32
    /// accumulator is exact up to 33025 inputs; FixedPoint requantisation uses the sum mod 2^32 as TFLite does.
    /// </summary>
    internal static void Forward(
        FullyConnectedParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias, Span<sbyte> output,
        Span<byte> mask, VectorWidth width)
    {
        ConvLike.ValidateForward(p, input.Length, filter.Length, bias.Length, output.Length, mask);
        if (width == VectorWidth.Scalar || (p.Requant.Mode == RequantMode.Float && p.InputDepth > MaxExactDepth)) ForwardReference(p, input, filter, bias, output, mask);
        else ForwardVectorized(p, input, filter, bias, output, mask, width);
    }

    /// <summary>The spec: plain loops, on validated arguments; an empty mask records nothing.</summary>
    private static void ForwardReference(
        FullyConnectedParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias, Span<sbyte> output,
        Span<byte> mask)
    {
        var requantizer = new Requantizer(p.Requant, bias, p.OutputZeroPoint, p.ActMin, p.ActMax);
        for (int batch = 0; batch < p.Batches; batch++)
        {
            for (int outChannel = 0; outChannel < p.OutputDepth; outChannel++)
            {
                long sum = 0;
                for (int depth = 0; depth < p.InputDepth; depth++)
                {
                    int inputValue = input[batch * p.InputDepth + depth];
                    int filterValue = filter[outChannel * p.InputDepth + depth];
                    sum += (filterValue - p.FilterZeroPoint) * (inputValue - p.InputZeroPoint);
                }

                int index = batch * p.OutputDepth + outChannel;
                output[index] = requantizer.Apply(outChannel, sum, mask, index);
            }
        }
    }
}
