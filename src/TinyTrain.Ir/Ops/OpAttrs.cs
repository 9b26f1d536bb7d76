namespace TinyTrain.Ir;

/// <summary>How an integer accumulator is requantised to int8 (design.md §3).</summary>
public enum RequantKind
{
    /// <summary>float32 eff_scale, round half to even, bias added in int64 (the paper's models).</summary>
    Float,

    /// <summary>TFLite integer multiplier and shift, bit-exact with TFLite Micro.</summary>
    FixedPoint,
}

/// <summary>How an integer average is rounded.</summary>
public enum AverageRounding
{
    HalfAwayFromZero,
    HalfToEven,
}

/// <summary>Explicit padding in pixels; TFLite's SAME/VALID are resolved by the importer.</summary>
public readonly record struct Padding2D(int Top, int Bottom, int Left, int Right)
{
    public static Padding2D None => default;

    /// <summary>TFLite's SAME padding: output = ceil(in / stride), the odd pixel goes to the end.</summary>
    public static (int Before, int After, int Output) Same(int input, int kernel, int stride, int dilation)
    {
        var effective = (kernel - 1) * dilation + 1;
        var output = (input + stride - 1) / stride;
        var total = Math.Max((output - 1) * stride + effective - input, 0);
        return (total / 2, total - total / 2, output);
    }

    public override string ToString() => $"pad({Top},{Bottom},{Left},{Right})";
}

/// <summary>The attributes of one op; immutable, compared by value.</summary>
public abstract record OpAttrs
{
    public static readonly OpAttrs Empty = new NoAttrs();
}

public sealed record NoAttrs : OpAttrs;

/// <summary>Int8 clamp range after requantisation; a fused ReLU/ReLU6 only narrows it.</summary>
public readonly record struct ClampRange(int Min, int Max)
{
    public static ClampRange Int8 => new(sbyte.MinValue, sbyte.MaxValue);

    /// <summary>
    /// The clamp in real values for an fp32 op: an fp32 tensor that replaces an int8 one keeps its quantisation as
    /// a record of the int8 range, so the clamp is scale * (bound - zero point); without one there is no clamp.
    /// </summary>
    public static (float Min, float Max) Real(ClampRange clamp, QuantParams? quant) => quant is null
        ? (float.NegativeInfinity, float.PositiveInfinity)
        : ((float)(quant.Scale * (clamp.Min - quant.ZeroPoint)), (float)(quant.Scale * (clamp.Max - quant.ZeroPoint)));
}
