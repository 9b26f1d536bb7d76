namespace TinyTrain.Kernels;

/// <summary>
/// Backward of the residual add (paper-notes §2.2): y = (sa (a - za) + sb (b - zb)) / so + zo, so with
/// straight-through rounding g_a = g_y * sa / so and g_b = g_y * sb / so where the clamp mask is 1, else 0. Both
/// are <see cref="Requant.AccumulatorGrad"/> with a per-tensor factor, so they share its reference and SIMD paths.
/// </summary>
public static partial class Add
{
    /// <summary>
    /// gradA[i] = bit i ? outputGrad[i] * (ScaleA / ScaleOut) : 0, gradB likewise with ScaleB; the ratios are one
    /// float32 division each. FixedPoint params made by <see cref="CreateFixedPoint"/> carry the float32 scales
    /// TFLite stores and work too; params without usable scales (zero or non-finite) throw NotSupportedException.
    /// gradA may be outputGrad itself (in place); gradB must not overlap either.
    /// </summary>
    public static void Backward(AddParams p, ReadOnlySpan<float> outputGrad, ReadOnlySpan<byte> mask, Span<float> gradA, Span<float> gradB)
    {
        ArgumentNullException.ThrowIfNull(p);
        if (!float.IsFinite(p.ScaleA) || !float.IsFinite(p.ScaleB) || !float.IsFinite(p.ScaleOut) || p.ScaleOut == 0)
        {
            throw new NotSupportedException(
                $"add backward needs the real scales; these params ({p.Mode}) carry {p.ScaleA}, {p.ScaleB}, {p.ScaleOut}");
        }

        Check.Length(outputGrad, p.Length, nameof(outputGrad));
        Backward(outputGrad, mask, p.ScaleA / p.ScaleOut, p.ScaleB / p.ScaleOut, gradA, gradB);
    }

    /// <summary>The fp32 baseline's add (<see cref="ForwardFloat"/>): the masked gradient passes to both inputs unchanged.</summary>
    public static void BackwardFloat(ReadOnlySpan<float> outputGrad, ReadOnlySpan<byte> mask, Span<float> gradA, Span<float> gradB) =>
        Backward(outputGrad, mask, 1f, 1f, gradA, gradB);

    private static void Backward(
        ReadOnlySpan<float> outputGrad, ReadOnlySpan<byte> mask, float ratioA, float ratioB, Span<float> gradA, Span<float> gradB)
    {
        Span<float> ratio = stackalloc float[1];
        ratio[0] = ratioB;
        Requant.AccumulatorGrad(outputGrad, mask, ratio, 1, gradB); // first: gradA may overwrite outputGrad
        ratio[0] = ratioA;
        Requant.AccumulatorGrad(outputGrad, mask, ratio, 1, gradA);
    }

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
