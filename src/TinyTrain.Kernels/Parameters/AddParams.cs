namespace TinyTrain.Kernels;

/// <summary>
/// Elementwise int8 add of two same-shaped tensors.
/// Float mode (the paper's residual add), all float32:
///   y = clamp(round_half_even(((float)(a - ZeroA) * ScaleA + (float)(b - ZeroB) * ScaleB) / ScaleOut) + ZeroOut).
/// FixedPoint mode (TFLite reference add): left shift, per-input multipliers, output multiplier.
/// </summary>
public sealed record AddParams(
    int Length,
    int ZeroA, int ZeroB, int ZeroOut,
    int ActMin, int ActMax,
    RequantMode Mode,
    // Float mode
    float ScaleA, float ScaleB, float ScaleOut,
    // FixedPoint mode
    int LeftShift,
    int MultiplierA, int ShiftA,
    int MultiplierB, int ShiftB,
    int MultiplierOut, int ShiftOut);
