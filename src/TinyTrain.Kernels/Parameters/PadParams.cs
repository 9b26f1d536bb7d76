namespace TinyTrain.Kernels;

/// <summary>Constant pad of an NHWC int8 tensor (batch 1) with PadValue (the zero point).</summary>
public sealed record PadParams(
    int InputH, int InputW, int InputC,
    int PadTop, int PadBottom, int PadLeft, int PadRight,
    int PadChannelsBefore, int PadChannelsAfter,
    sbyte PadValue)
{
    public int OutputH => InputH + PadTop + PadBottom;
    public int OutputW => InputW + PadLeft + PadRight;
    public int OutputC => InputC + PadChannelsBefore + PadChannelsAfter;
}
