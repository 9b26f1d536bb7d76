namespace TinyTrain.Kernels;

/// <summary>
/// int8 mean over the spatial axes of an NHWC tensor (batch 1), as current TFLite Micro computes it
/// (reference_ops::QuantizedMeanOrSum): with n = H * W and s = min(floor(log2 n), 32, 31 + Shift),
/// y = clamp(MultiplyByQuantizedMultiplier(sum(x) - n * InputZeroPoint, (Multiplier &lt;&lt; s) / n, Shift - s)
/// + OutputZeroPoint, -128, 127). Multiplier/Shift encode input_scale / output_scale (see <c>Mean.Create</c>).
/// </summary>
public sealed record MeanParams(
    int InputH, int InputW, int Channels,
    int InputZeroPoint, int OutputZeroPoint,
    int Multiplier, int Shift);
