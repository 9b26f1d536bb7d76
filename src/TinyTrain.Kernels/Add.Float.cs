namespace TinyTrain.Kernels;

/// <summary>
/// The fp32 add of the fp32 baseline. (The gradient of an add is <see cref="Requant.AccumulatorGrad"/> per input, with
/// the masked output gradient scaled by ScaleA / ScaleOut and ScaleB / ScaleOut, or by 1 in fp32.)
/// </summary>
public static partial class Add
{
    /// <summary>The fp32 forward of the add, for the fp32 baseline: y[i] = clamp(a[i] + b[i], min, max).</summary>
    public static void ForwardFloat(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> output, float min, float max)
    {
        ValidateFloat(a, b, output, min, max);
        ForwardFloat(a, b, output, min, max, Span<byte>.Empty);
    }

    /// <summary>The fp32 forward plus the clamp mask (bit = min &lt;= a + b &lt;= max).</summary>
    public static void ForwardFloatWithMask(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> output, float min, float max, Span<byte> mask)
    {
        ValidateFloat(a, b, output, min, max);
        ClampMask.Validate(mask, output.Length, nameof(mask));
        mask.Clear();
        ForwardFloat(a, b, output, min, max, mask);
    }

    private static void ForwardFloat(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> output, float min, float max, Span<byte> mask)
    {
        for (int i = 0; i < output.Length; i++)
        {
            output[i] = ClampMask.Apply(a[i] + b[i], min, max, mask, i);
        }
    }

    private static void ValidateFloat(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> output, float min, float max)
    {
        ClampMask.ValidateRange(min, max);
        Check.Length(a, output.Length, nameof(a));
        Check.Length(b, output.Length, nameof(b));
    }
}
