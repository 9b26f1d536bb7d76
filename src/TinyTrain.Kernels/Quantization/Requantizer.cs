namespace TinyTrain.Kernels;

/// <summary>
/// Turns one output channel's accumulator into an int8 value, in either <see cref="RequantMode"/>. Shared by the
/// reference and the vectorised kernels so both requantise identically. A requantisation with one entry is
/// per-tensor (every channel uses entry 0).
/// </summary>
internal readonly ref partial struct Requantizer
{
    private readonly RequantMode mode;
    private readonly float[] scale;
    private readonly int[] multiplier;
    private readonly int[] shift;
    private readonly ReadOnlySpan<int> bias;
    private readonly bool perTensor;
    private readonly int zeroPoint;
    private readonly int min;
    private readonly int max;
    private readonly bool shiftsInRange; // every FixedPoint shift in [-31, 31]: the vector form applies

    public Requantizer(Requantization requant, ReadOnlySpan<int> bias, int zeroPoint, int min, int max)
    {
        mode = requant.Mode;
        scale = requant.Scale;
        multiplier = requant.Multiplier;
        shift = requant.Shift;
        perTensor = requant.Channels == 1;
        this.bias = bias;
        this.zeroPoint = zeroPoint;
        this.min = min;
        this.max = max;
        shiftsInRange = true;
        foreach (int s in shift)
        {
            shiftsInRange &= s <= 31 && s >= -31;
        }
    }

    /// <summary>
    /// sum = sum of W * (x - zp) for the channel. Float: exact in int64. FixedPoint: only sum mod 2^32 matters,
    /// because TFLite accumulates (and adds the bias) in wrapping int32.
    /// </summary>
    public sbyte Apply(int channel, long sum)
    {
        int value = Unclamped(channel, sum);
        return (sbyte)(value < min ? min : value > max ? max : value);
    }

    /// <summary>
    /// <see cref="Apply(int, long)"/> that also records the clamp: sets bit index of mask when the pre-clamp value
    /// is inside [min, max] (see <see cref="ClampMask"/>). An empty mask records nothing.
    /// </summary>
    public sbyte Apply(int channel, long sum, Span<byte> mask, int index)
    {
        int value = Unclamped(channel, sum);
        if (value >= min && value <= max)
        {
            if (!mask.IsEmpty)
            {
                ClampMask.Set(mask, index);
            }

            return (sbyte)value;
        }

        return (sbyte)(value < min ? min : max);
    }

    /// <summary>The requantised value plus the zero point, before the activation clamp.</summary>
    private int Unclamped(int channel, long sum)
    {
        int q = perTensor ? 0 : channel;
        long acc = bias.IsEmpty ? sum : sum + bias[channel];
        int value = mode == RequantMode.Float
            ? RoundFloat(acc, scale[q])
            : FixedPoint.MultiplyByQuantizedMultiplier(unchecked((int)acc), multiplier[q], shift[q]);
        return unchecked(value + zeroPoint);
    }

    /// <summary>round_half_even((float)acc * scale): one float32 rounding of acc, one float32 multiply.</summary>
    public static int RoundFloat(long acc, float scale)
    {
        float value = (float)acc * scale;
        // Anything beyond +-2^20 saturates the int8 output anyway; clamping first keeps the int cast defined.
        value = value > Saturation ? Saturation : value < -Saturation ? -Saturation : value;
        return (int)MathF.Round(value);
    }

    private const float Saturation = 1 << 20;

    /// <summary>Checks a requantisation against the op's output channel count.</summary>
    public static void Validate(Requantization requant, int channels)
    {
        ArgumentNullException.ThrowIfNull(requant);
        bool sizeOk = requant.Channels == channels || requant.Channels == 1;
        if (requant.Mode == RequantMode.Float)
        {
            if (!sizeOk)
            {
                throw new ArgumentException($"requantisation has {requant.Scale.Length} scales, expected 1 or {channels}");
            }

            foreach (float s in requant.Scale)
            {
                if (!float.IsFinite(s))
                {
                    throw new ArgumentException($"requantisation scale {s} is not finite");
                }
            }
        }
        else if (!sizeOk || requant.Shift.Length != requant.Multiplier.Length)
        {
            throw new ArgumentException(
                $"requantisation has {requant.Multiplier.Length} multipliers and {requant.Shift.Length} shifts, expected 1 or {channels}");
        }
    }
}
