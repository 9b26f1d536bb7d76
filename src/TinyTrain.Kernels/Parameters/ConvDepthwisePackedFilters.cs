namespace TinyTrain.Kernels;

/// <summary>
/// The constant filters of a fused conv + depthwise pair prepared once for <see cref="ConvDepthwise.ForwardPacked"/>:
/// the conv's packed in blocks of four channels (one group of planes), and the depthwise conv's requantisation split
/// into one per-tensor entry per channel (each plane is one channel).
/// </summary>
public sealed class ConvDepthwisePackedFilters
{
    internal ConvDepthwisePackedFilters(Conv2DPackedFilter conv, DepthwiseConv2DParams depthwise, Requantization[] channels)
    {
        Conv = conv;
        Depthwise = depthwise;
        Channels = channels;
    }

    internal Conv2DPackedFilter Conv { get; }

    public DepthwiseConv2DParams Depthwise { get; }

    internal Requantization[] Channels { get; }
}
