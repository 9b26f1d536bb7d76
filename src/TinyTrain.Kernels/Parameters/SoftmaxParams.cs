namespace TinyTrain.Kernels;

/// <summary>
/// int8 softmax over the last axis, TFLite Micro's integer reference (gemmlowp fixed-point exp).
/// Output is int8 with scale 1/256 and zero point -128. Rows x Depth elements.
/// InputMultiplier/InputLeftShift/DiffMin come from <c>Softmax.Prepare(beta, inputScale)</c>.
/// </summary>
public sealed record SoftmaxParams(int Rows, int Depth, int InputMultiplier, int InputLeftShift, int DiffMin);
