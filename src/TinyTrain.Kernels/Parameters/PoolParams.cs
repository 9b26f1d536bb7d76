namespace TinyTrain.Kernels;

/// <summary>How an average is rounded to an integer.</summary>
public enum PoolRounding
{
    /// <summary>TFLite reference: integer (sum +/- count/2) / count, ties away from zero.</summary>
    HalfAwayFromZero,

    /// <summary>The paper's global pool: round_half_even(float32(sum) / float32(count)).</summary>
    HalfToEven,
}

/// <summary>
/// int8 NHWC pool (batch 1): <see cref="AveragePool2D"/> and <see cref="MaxPool2D"/>. Input and output share scale and
/// zero point; the mean or max is taken over raw int8 values. Padded positions are excluded from both the sum and the
/// count, and never win a max. MaxPool2D ignores <see cref="Rounding"/>.
/// </summary>
public sealed record PoolParams(
    int InputH, int InputW, int Channels,
    int OutputH, int OutputW,
    int FilterH, int FilterW,
    int StrideH, int StrideW,
    int PadTop, int PadLeft,
    int ActMin, int ActMax,
    PoolRounding Rounding);
