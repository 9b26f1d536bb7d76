namespace TinyTrain.Kernels;

/// <summary>
/// int8 mean over the spatial axes of an NHWC tensor (batch 1), TFLite Micro's integer reference:
/// acc = sum(x - InputZeroPoint); acc = MultiplyByQuantizedMultiplier(acc, Multiplier, Shift);
/// acc = (acc +/- n/2) / n (ties away from zero); y = clamp(acc + OutputZeroPoint).
/// Multiplier/Shift encode input_scale / output_scale.
/// </summary>
public sealed record MeanParams(
    int InputH, int InputW, int Channels,
    int InputZeroPoint, int OutputZeroPoint,
    int Multiplier, int Shift);
