namespace TinyTrain.Kernels;

/// <summary>
/// int8 fully connected: output[b, o] = requant(sum_i (W[o, i] - FilterZeroPoint) * (x[b, i] - InputZeroPoint) + bias[o]).
/// Filter layout [OutputDepth, InputDepth] (TFLite).
/// </summary>
public sealed record FullyConnectedParams(
    int Batches, int InputDepth, int OutputDepth,
    int InputZeroPoint, int FilterZeroPoint, int OutputZeroPoint,
    int ActMin, int ActMax,
    Requantization Requant)
{
    public long Macs => (long)Batches * InputDepth * OutputDepth;
}
