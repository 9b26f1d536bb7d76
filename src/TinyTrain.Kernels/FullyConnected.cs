namespace TinyTrain.Kernels;

/// <summary>
/// int8 fully connected, filter [OutputDepth, InputDepth] (see <see cref="FullyConnectedParams"/>). In FixedPoint
/// mode, bit-exact with TFLite Micro's reference_integer_ops::FullyConnected (one requantisation entry:
/// per-tensor, with filter offset) or FullyConnectedPerChannel (one entry per output; TFLite requires
/// FilterZeroPoint 0 there, and subtracting 0 changes nothing).
/// </summary>
public static partial class FullyConnected
{
    /// <summary>y[b, o] = requant(sum_i (W[o, i] - fzp) * (x[b, i] - xzp) + bias[o]).</summary>
    public static void Forward(
        FullyConnectedParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias, Span<sbyte> output)
    {
        if (VectorWidths.UseVectorized)
        {
            ForwardVectorized(p, input, filter, bias, output);
        }
        else
        {
            ForwardReference(p, input, filter, bias, output);
        }
    }

    /// <summary>
    /// <see cref="Forward"/> for training: the same output, plus the clamp mask the backward pass needs (1 bit per
    /// output element, see <see cref="ClampMask"/>).
    /// </summary>
    public static void ForwardWithMask(
        FullyConnectedParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias, Span<sbyte> output,
        Span<byte> mask)
    {
        if (VectorWidths.UseVectorized)
        {
            ForwardWithMaskVectorized(p, input, filter, bias, output, mask);
        }
        else
        {
            ForwardWithMaskReference(p, input, filter, bias, output, mask);
        }
    }

    /// <summary>
    /// The spec: plain loops, sum exact in int64. |(W - fzp) * (x - xzp)| &lt;= 255 * 255 = 65025, so TFLite's int32
    /// accumulator is exact up to 33025 inputs; FixedPoint requantisation uses the sum mod 2^32 as TFLite does.
    /// </summary>
    public static void ForwardReference(
        FullyConnectedParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias, Span<sbyte> output)
    {
        Validate(p, input, filter, bias, output);
        ForwardReference(p, input, filter, bias, output, Span<byte>.Empty);
    }

    /// <summary>The reference forward plus the clamp mask.</summary>
    public static void ForwardWithMaskReference(
        FullyConnectedParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias, Span<sbyte> output,
        Span<byte> mask)
    {
        Validate(p, input, filter, bias, output);
        ClampMask.Validate(mask, (long)p.Batches * p.OutputDepth, nameof(mask));
        mask.Clear();
        ForwardReference(p, input, filter, bias, output, mask);
    }

    // Validated arguments; an empty mask records nothing.
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

    private static void Validate(
        FullyConnectedParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias, ReadOnlySpan<sbyte> output)
    {
        ValidateGeometry(p);
        Check.Int8(p.InputZeroPoint, nameof(p.InputZeroPoint));
        Check.Int8(p.FilterZeroPoint, nameof(p.FilterZeroPoint));
        Check.Int8(p.OutputZeroPoint, nameof(p.OutputZeroPoint));
        Check.ActivationRange(p.ActMin, p.ActMax);
        Requantizer.Validate(p.Requant, p.OutputDepth);
        Check.Length(input, (long)p.Batches * p.InputDepth, nameof(input));
        Check.Length(filter, (long)p.OutputDepth * p.InputDepth, nameof(filter));
        Check.Bias(bias, p.OutputDepth);
        Check.Length(output, (long)p.Batches * p.OutputDepth, nameof(output));
    }

    /// <summary>The shape fields only: what the fp32 and backward kernels read.</summary>
    private static void ValidateGeometry(FullyConnectedParams p)
    {
        ArgumentNullException.ThrowIfNull(p);
        Check.NonNegative(p.Batches, nameof(p.Batches));
        Check.NonNegative(p.InputDepth, nameof(p.InputDepth));
        Check.NonNegative(p.OutputDepth, nameof(p.OutputDepth));
    }
}
