namespace TinyTrain.Kernels;

/// <summary>
/// int8 NHWC average pool over raw int8 values (see <see cref="PoolParams"/>). HalfAwayFromZero is bit-exact with
/// TFLite Micro's reference_integer_ops::AveragePool; HalfToEven is the paper's global pool.
/// </summary>
public static partial class AveragePool2D
{
    /// <summary>y[oy, ox, c] = clamp(round(sum of in-image x[iy, ix, c] / count of in-image positions)).</summary>
    public static void Forward(PoolParams p, ReadOnlySpan<sbyte> input, Span<sbyte> output)
    {
        Validate(p, input, output);
        for (int outY = 0; outY < p.OutputH; outY++)
        {
            for (int outX = 0; outX < p.OutputW; outX++)
            {
                var window = PoolWindow.At(p, outY, outX);
                int count = window.Count;
                for (int channel = 0; channel < p.Channels; channel++)
                {
                    // |sum| <= 128 * count: exact in int32 (and in float32 while count <= 2^17).
                    int sum = 0;
                    foreach (int index in window.Inputs(channel))
                    {
                        sum += input[index];
                    }

                    int average = p.Rounding == PoolRounding.HalfAwayFromZero
                        ? RoundHalfAwayFromZero(sum, count)
                        : (int)MathF.Round((float)sum / (float)count);
                    output[(outY * p.OutputW + outX) * p.Channels + channel] = (sbyte)Math.Clamp(average, p.ActMin, p.ActMax);
                }
            }
        }
    }

    /// <summary>TFLite's (sum +/- count/2) / count with C's truncating division.</summary>
    internal static int RoundHalfAwayFromZero(int sum, int count) =>
        sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;

    private static void Validate(PoolParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> output)
    {
        ValidateGeometry(p);
        Check.ActivationRange(p.ActMin, p.ActMax);
        if (!Enum.IsDefined(p.Rounding))
        {
            throw new ArgumentException($"unknown pool rounding {p.Rounding}");
        }

        Check.Length(input, (long)p.InputH * p.InputW * p.Channels, nameof(input));
        Check.Length(output, (long)p.OutputH * p.OutputW * p.Channels, nameof(output));
    }

    /// <summary>The shape fields only: what the fp32 and backward kernels read.</summary>
    private static void ValidateGeometry(PoolParams p)
    {
        ValidateShape(p);
        if ((long)p.FilterH * p.FilterW > 1 << 17)
        {
            throw new ArgumentException($"pool window {p.FilterH}x{p.FilterW} is too large to average exactly");
        }
    }

    /// <summary>Every size and stride of a pool is positive (both pools).</summary>
    internal static void ValidateShape(PoolParams p)
    {
        ArgumentNullException.ThrowIfNull(p);
        Check.Positive(p.InputH, nameof(p.InputH));
        Check.Positive(p.InputW, nameof(p.InputW));
        Check.Positive(p.Channels, nameof(p.Channels));
        Check.Positive(p.OutputH, nameof(p.OutputH));
        Check.Positive(p.OutputW, nameof(p.OutputW));
        Check.Positive(p.FilterH, nameof(p.FilterH));
        Check.Positive(p.FilterW, nameof(p.FilterW));
        Check.Positive(p.StrideH, nameof(p.StrideH));
        Check.Positive(p.StrideW, nameof(p.StrideW));
    }
}
