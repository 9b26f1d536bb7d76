namespace TinyTrain.Kernels;

/// <summary>
/// TFLite's QuantizeMultiplier family: a real multiplier m becomes (q, shift) with m ~= q * 2^shift / 2^31 and
/// q in [2^30, 2^31). Exactly quantization_util.cc (non-emulated float path).
/// </summary>
public static class QuantizedMultiplier
{
    /// <summary>frexp-based: q = round_half_away(frac * 2^31); q == 2^31 halves and bumps shift; shift &lt; -31 flushes to (0, 0).</summary>
    public static (int Multiplier, int Shift) QuantizeMultiplier(double realMultiplier)
    {
        if (realMultiplier == 0.0)
        {
            return (0, 0);
        }

        if (!double.IsFinite(realMultiplier))
        {
            throw new ArgumentOutOfRangeException(nameof(realMultiplier), realMultiplier, "multiplier must be finite");
        }

        double fraction = FrExp(realMultiplier, out int shift);
        long quantized = (long)Math.Round(fraction * (1L << 31), MidpointRounding.AwayFromZero);
        if (quantized == 1L << 31)
        {
            quantized /= 2;
            shift++;
        }

        if (shift < -31)
        {
            return (0, 0);
        }

        return ((int)quantized, shift);
    }

    /// <summary>TFLite QuantizeMultiplierSmallerThanOneExp: 0 &lt; m &lt; 1, returned shift is &lt;= 0.</summary>
    public static (int Multiplier, int Shift) QuantizeMultiplierSmallerThanOneExp(double realMultiplier)
    {
        if (!(realMultiplier > 0.0 && realMultiplier < 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(realMultiplier), realMultiplier, "expected 0 < multiplier < 1");
        }

        var (multiplier, shift) = QuantizeMultiplier(realMultiplier);
        if (shift > 0)
        {
            throw new ArgumentOutOfRangeException(nameof(realMultiplier), realMultiplier, "multiplier rounds up to 1");
        }

        return (multiplier, shift);
    }

    /// <summary>TFLite QuantizeMultiplierGreaterThanOne: m &gt; 1, returned shift is &gt;= 0.</summary>
    public static (int Multiplier, int Shift) QuantizeMultiplierGreaterThanOne(double realMultiplier)
    {
        if (!(realMultiplier > 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(realMultiplier), realMultiplier, "expected multiplier > 1");
        }

        return QuantizeMultiplier(realMultiplier);
    }

    /// <summary>C frexp: x = fraction * 2^exponent with 0.5 &lt;= |fraction| &lt; 1 (x finite and non-zero).</summary>
    internal static double FrExp(double x, out int exponent)
    {
        exponent = Math.ILogB(x) + 1;
        return Math.ScaleB(x, -exponent);
    }
}
