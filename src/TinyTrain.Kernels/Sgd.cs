namespace TinyTrain.Kernels;

/// <summary>
/// The element arithmetic of the SGD step (paper-notes §2.3-2.4) that <see cref="SgdSlice"/> applies to a parameter
/// slice, shared so every update rounds the same way: the device policy rounds each step into the int8/int32 value
/// (<see cref="RoundToInt8"/>, <see cref="SubtractRounded"/>); the master policy keeps fp32 master copies and rounds
/// them into the integer tensors (<see cref="RoundMasterToInt8"/>, <see cref="RoundMasterToInt32"/>).
/// </summary>
public static class Sgd
{
    /// <summary>The master policy's int8 weights: clamp(round_half_even(master), -127, 127); NaN gives 0.</summary>
    public static void RoundMasterToInt8(ReadOnlySpan<float> master, Span<sbyte> weights)
    {
        Check.Length(weights, master.Length, nameof(weights));
        for (int i = 0; i < master.Length; i++)
        {
            weights[i] = float.IsNaN(master[i]) ? (sbyte)0 : RoundToInt8(master[i]);
        }
    }

    /// <summary>The master policy's int32 bias: round_half_even(master) saturated to int32; NaN gives 0.</summary>
    public static void RoundMasterToInt32(ReadOnlySpan<float> master, Span<int> bias)
    {
        Check.Length(bias, master.Length, nameof(bias));
        for (int i = 0; i < master.Length; i++)
        {
            float value = master[i];
            bias[i] = float.IsNaN(value) ? 0
                : value >= 2147483648f ? int.MaxValue
                : value < -2147483648f ? int.MinValue
                : (int)MathF.Round(value);
        }
    }

    /// <summary>clamp(round_half_even(value), -127, 127) for a value that is not NaN (clamping first keeps the cast defined).</summary>
    internal static sbyte RoundToInt8(float value) => (sbyte)MathF.Round(Math.Clamp(value, -127f, 127f));

    /// <summary>
    /// round_half_even(b - step) saturated to int32, exactly: with f = floor(step), b - step = (b - f) - (step - f),
    /// and step - f &lt; 1/2, = 1/2, &gt; 1/2 is step &lt;, =, &gt; f + 1/2, exact in float32 while |step| &lt; 2^23
    /// (beyond that step is an integer).
    /// </summary>
    internal static int SubtractRounded(int b, float step)
    {
        if (float.IsNaN(step))
        {
            return b;
        }

        step = Math.Clamp(step, -(float)(1L << 40), (float)(1L << 40)); // beyond +-2^33 the result saturates anyway
        float floor = MathF.Floor(step);
        long result = (long)b - (long)floor;
        if (MathF.Abs(step) < 1 << 23)
        {
            float half = floor + 0.5f;
            if (step > half || (step == half && (result & 1) != 0))
            {
                result--;
            }
        }

        return (int)Math.Clamp(result, int.MinValue, int.MaxValue);
    }
}
