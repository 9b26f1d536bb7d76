namespace TinyTrain.Kernels;

/// <summary>How an int32 accumulator becomes an int8 value.</summary>
public enum RequantMode
{
    /// <summary>The paper's models: y = round_half_even((float)acc * scale[c]) + zp, acc = sum + bias in int64.</summary>
    Float,

    /// <summary>TFLite: y = MultiplyByQuantizedMultiplier(acc, multiplier[c], shift[c]) + zp, acc in int32.</summary>
    FixedPoint,
}

/// <summary>
/// Per-output-channel requantisation constants, computed once by the compiler. In <see cref="RequantMode.Float"/>
/// only <see cref="Scale"/> is set; in <see cref="RequantMode.FixedPoint"/> only <see cref="Multiplier"/> and
/// <see cref="Shift"/>. One entry per output channel, or a single entry that every channel uses (per-tensor).
/// </summary>
public sealed record Requantization(RequantMode Mode, float[] Scale, int[] Multiplier, int[] Shift)
{
    public static Requantization FromFloat(float[] scale) => new(RequantMode.Float, scale, [], []);

    public static Requantization FromFixedPoint(int[] multiplier, int[] shift) => new(RequantMode.FixedPoint, [], multiplier, shift);

    public int Channels => Mode == RequantMode.Float ? Scale.Length : Multiplier.Length;
}
