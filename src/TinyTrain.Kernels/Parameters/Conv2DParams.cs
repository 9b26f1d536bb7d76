namespace TinyTrain.Kernels;

/// <summary>
/// One int8 NHWC convolution (batch 1). Filter layout OHWI ([OutputC, KernelH, KernelW, InputC]).
/// Padding positions contribute 0 to the sum of W * (x - InputZeroPoint), i.e. the input is padded with its
/// zero point. Output is clamped to [ActMin, ActMax] (a fused ReLU/ReLU6 narrows it).
/// </summary>
public sealed record Conv2DParams(
    int InputH, int InputW, int InputC,
    int OutputH, int OutputW, int OutputC,
    int KernelH, int KernelW,
    int StrideH, int StrideW,
    int DilationH, int DilationW,
    int PadTop, int PadLeft,
    int InputZeroPoint, int OutputZeroPoint,
    int ActMin, int ActMax,
    Requantization Requant) : IWindowParams, IConvLikeParams
{
    public int InputLength => InputH * InputW * InputC;
    public int OutputLength => OutputH * OutputW * OutputC;
    public int FilterLength => OutputC * KernelH * KernelW * InputC;
    public long Macs => (long)OutputH * OutputW * OutputC * KernelH * KernelW * InputC;

    int IConvLikeParams.FilterZeroPoint => 0;
    int IConvLikeParams.InputChannels => InputC;
    int IConvLikeParams.OutputChannels => OutputC;
    long IConvLikeParams.InputLength => (long)InputH * InputW * InputC;
    long IConvLikeParams.OutputLength => (long)OutputH * OutputW * OutputC;
    long IConvLikeParams.FilterLength => (long)OutputC * KernelH * KernelW * InputC;

    /// <summary>[OutputC, KernelH, KernelW, selected] (OHWI).</summary>
    long IConvLikeParams.FilterGradPerOutput(int selected) => (long)KernelH * KernelW * selected;

    long IConvLikeParams.FilterGradLength(int selected) => (long)OutputC * KernelH * KernelW * selected;

    void IConvLikeParams.ValidateGeometry()
    {
        ConvLike.ValidateWindow(this);
        Check.Positive(OutputC, nameof(OutputC));
    }
}
