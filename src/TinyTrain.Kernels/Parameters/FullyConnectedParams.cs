namespace TinyTrain.Kernels;

/// <summary>
/// int8 fully connected: output[b, o] = requant(sum_i (W[o, i] - FilterZeroPoint) * (x[b, i] - InputZeroPoint) + bias[o]).
/// Filter layout [OutputDepth, InputDepth] (TFLite).
/// </summary>
public sealed record FullyConnectedParams(
    int Batches, int InputDepth, int OutputDepth,
    int InputZeroPoint, int FilterZeroPoint, int OutputZeroPoint,
    int ActMin, int ActMax,
    Requantization Requant) : IConvLikeParams
{
    public long Macs => (long)Batches * InputDepth * OutputDepth;

    int IConvLikeParams.InputChannels => InputDepth;
    int IConvLikeParams.OutputChannels => OutputDepth;
    long IConvLikeParams.InputLength => (long)Batches * InputDepth;
    long IConvLikeParams.OutputLength => (long)Batches * OutputDepth;
    long IConvLikeParams.FilterLength => (long)OutputDepth * InputDepth;

    /// <summary>[OutputDepth, selected].</summary>
    long IConvLikeParams.FilterGradPerOutput(int selected) => selected;

    long IConvLikeParams.FilterGradLength(int selected) => (long)OutputDepth * selected;

    void IConvLikeParams.ValidateGeometry()
    {
        Check.NonNegative(Batches, nameof(Batches));
        Check.NonNegative(InputDepth, nameof(InputDepth));
        Check.NonNegative(OutputDepth, nameof(OutputDepth));
    }
}
