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
    Requantization Requant)
{
    public int OutputC => InputC * DepthMultiplier;
    public int InputLength => InputH * InputW * InputC;
    public int OutputLength => OutputH * OutputW * OutputC;
    public int FilterLength => KernelH * KernelW * OutputC;
    public long Macs => (long)OutputH * OutputW * OutputC * KernelH * KernelW;
}
