namespace TinyTrain.Kernels;

/// <summary>
/// A constant depthwise filter (depth multiplier 1) laid out once for <see cref="DepthwiseConv2D.ForwardPacked"/>:
/// for each tap, the channel pattern repeated over <see cref="Period"/> + 32 bytes, where Period = lcm(channels, 32),
/// so the 32 weights of any 32 consecutive elements of an NHWC row (which may start mid-pixel and span pixels) are
/// one load at offset (element index mod Period). The requantisation's per-channel entries are repeated the same way.
/// </summary>
public sealed class DepthwiseConv2DPackedFilter
{
    internal DepthwiseConv2DPackedFilter(DepthwiseConv2DParams p, int period, sbyte[] weights, Requantization lanes)
    {
        Params = p;
        Period = period;
        Weights = weights;
        Lanes = lanes;
    }

    public DepthwiseConv2DParams Params { get; }

    /// <summary>lcm(channels, 32): element i and element i + Period of a row have the same channel.</summary>
    internal int Period { get; }

    /// <summary>Bytes per tap in <see cref="Weights"/>: a period plus one more vector.</summary>
    internal int TapStride => Period + DepthwiseConv2D.PackedLanes;

    /// <summary>[tap][i] = filter[tap][i mod channels], i &lt; TapStride.</summary>
    internal sbyte[] Weights { get; }

    /// <summary>The requantisation with entry i for lane i (channel i mod channels), or the per-tensor one.</summary>
    internal Requantization Lanes { get; }
}
