namespace TinyTrain.Kernels;

/// <summary>
/// int8 softmax over the last axis, bit-exact with TFLite Micro's reference_ops::Softmax for int8 in and out
/// (output scale 1/256, zero point -128): input differences from the row max are scaled to Q5.26, exponentiated
/// with gemmlowp's exp_on_negative_values, summed in Q12.19, and divided via a fixed-point reciprocal.
/// </summary>
public static class Softmax
{
    private const int ScaledDiffIntegerBits = 5;
    private const int AccumulationIntegerBits = 12;

    /// <summary>y[r, c] = clamp(round(256 * exp(beta * s * (x[r, c] - max_r)) / sum_c exp(...)) - 128).</summary>
    public static void Forward(SoftmaxParams p, ReadOnlySpan<sbyte> input, Span<sbyte> output)
    {
        Validate(p, input, output);
        for (int row = 0; row < p.Rows; row++)
        {
            ReadOnlySpan<sbyte> x = input.Slice(row * p.Depth, p.Depth);
            Span<sbyte> y = output.Slice(row * p.Depth, p.Depth);
            int maxInRow = sbyte.MinValue;
            foreach (sbyte value in x)
            {
                maxInRow = Math.Max(maxInRow, value);
            }

            int sumOfExps = 0; // Q12.19
            foreach (sbyte value in x)
            {
                int difference = value - maxInRow;
                if (difference >= p.DiffMin)
                {
                    sumOfExps += FixedPoint.Rescale(Exp(p, difference), 0, AccumulationIntegerBits);
                }
            }

            int shiftedScale = FixedPoint.GetReciprocal(sumOfExps, AccumulationIntegerBits, out int numBitsOverUnit);
            int exponent = numBitsOverUnit + 31 - 8;
            if (exponent < 0 || exponent > 31)
            {
                throw new InvalidOperationException($"softmax reciprocal exponent {exponent} out of range");
            }

            for (int c = 0; c < x.Length; c++)
            {
                int difference = x[c] - maxInRow;
                if (difference < p.DiffMin)
                {
                    y[c] = sbyte.MinValue;
                    continue;
                }

                int unsaturated = FixedPoint.RoundingDivideByPOT(
                    FixedPoint.SaturatingRoundingDoublingHighMul(shiftedScale, Exp(p, difference)), exponent);
                y[c] = (sbyte)Math.Clamp(unsaturated + sbyte.MinValue, sbyte.MinValue, sbyte.MaxValue);
            }
        }
    }

    // exp(beta * scale * difference) in Q0.31; difference <= 0 is first scaled into Q5.26.
    private static int Exp(SoftmaxParams p, int difference)
    {
        int scaled = FixedPoint.MultiplyByQuantizedMultiplierGreaterThanOne(difference, p.InputMultiplier, p.InputLeftShift);
        return FixedPoint.ExpOnNegativeValues(scaled, ScaledDiffIntegerBits);
    }

    /// <summary>
    /// TFLite Micro's Prepare for int8: PreprocessSoftmaxScaling and CalculateInputRadius with 5 integer bits.
    /// beta and inputScale are rounded to float32 first, as TFLite stores them.
    /// </summary>
    public static SoftmaxParams Prepare(int rows, int depth, double beta, double inputScale)
    {
        double floatBeta = (float)beta;
        double floatScale = (float)inputScale;
        const double maxRealMultiplier = (1L << 31) - 1.0;
        double realMultiplier = Math.Min(floatBeta * floatScale * (1L << (31 - ScaledDiffIntegerBits)), maxRealMultiplier);
        var (multiplier, leftShift) = QuantizedMultiplier.QuantizeMultiplierGreaterThanOne(realMultiplier);
        int diffMin = -CalculateInputRadius(ScaledDiffIntegerBits, leftShift);
        return new SoftmaxParams(rows, depth, multiplier, leftShift, diffMin);
    }

    /// <summary>TFLite CalculateInputRadius: the largest input difference whose rescaled value stays representable.</summary>
    internal static int CalculateInputRadius(int inputIntegerBits, int inputLeftShift, int totalSignedBits = 31)
    {
        double maxInputRescaled = 1.0 * ((1 << inputIntegerBits) - 1)
            * (1L << (totalSignedBits - inputIntegerBits)) / (1L << inputLeftShift);
        return (int)Math.Floor(maxInputRescaled);
    }

    private static void Validate(SoftmaxParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> output)
    {
        ArgumentNullException.ThrowIfNull(p);
        Check.NonNegative(p.Rows, nameof(p.Rows));
        Check.NonNegative(p.Depth, nameof(p.Depth));
        if (p.InputLeftShift < 0 || p.InputLeftShift > 31 || p.DiffMin > 0)
        {
            throw new ArgumentException($"softmax left shift {p.InputLeftShift} / diff min {p.DiffMin} out of range");
        }

        Check.Length(input, (long)p.Rows * p.Depth, nameof(input));
        Check.Length(output, (long)p.Rows * p.Depth, nameof(output));
    }
}
