namespace TinyTrain.Kernels;

/// <summary>
/// One int8 NHWC depthwise convolution (batch 1). Filter layout [1, KernelH, KernelW, OutputC] with
/// OutputC = InputC * DepthMultiplier; output channel c reads input channel c / DepthMultiplier.
/// Padding as in <see cref="Conv2DParams"/>.
/// </summary>
public sealed record DepthwiseConv2DParams(
    int InputH, int InputW, int InputC,
    int OutputH, int OutputW, int DepthMultiplier,
    int KernelH, int KernelW,
    int StrideH, int StrideW,
    int DilationH, int DilationW,
    int PadTop, int PadLeft,
    int InputZeroPoint, int OutputZeroPoint,
    int ActMin, int ActMax,
    Requantization Requant) : IWindowParams, IConvLikeParams
{
    public int OutputC => InputC * DepthMultiplier;
    public int InputLength => InputH * InputW * InputC;
    public int OutputLength => OutputH * OutputW * OutputC;
    public int FilterLength => KernelH * KernelW * OutputC;
    public long Macs => (long)OutputH * OutputW * OutputC * KernelH * KernelW;

    int IConvLikeParams.FilterZeroPoint => 0;
    int IConvLikeParams.InputChannels => InputC;
    int IConvLikeParams.OutputChannels => OutputC;
    long IConvLikeParams.InputLength => (long)InputH * InputW * InputC;
    long IConvLikeParams.OutputLength => (long)OutputH * OutputW * OutputC;
    long IConvLikeParams.FilterLength => (long)KernelH * KernelW * OutputC;

    /// <summary>[KernelH, KernelW, selected]: the filter gradient has no output channel axis (DepthMultiplier 1).</summary>
    long IConvLikeParams.FilterGradPerOutput(int selected) => (long)KernelH * KernelW * selected;

    long IConvLikeParams.FilterGradLength(int selected) => (long)KernelH * KernelW * selected;

    void IConvLikeParams.ValidateGeometry()
    {
        ConvLike.ValidateWindow(this);
        Check.Positive(DepthMultiplier, nameof(DepthMultiplier));
    }
}
