namespace TinyTrain.Kernels;

/// <summary>
/// A constant Conv2D filter rearranged once (when a program's executor is built, not per call) for
/// <see cref="Conv2D.ForwardPacked"/>: output channels in blocks of eight (or four), the window (KernelH x KernelW x InputC,
/// OHWI order) in groups of four bytes padded with zero weights, laid out [block][group][channel of the block][byte],
/// so one 32-byte load feeds eight VPDPBUSD lanes. Block b covers channels [Start(b), Start(b) + 8); the last block
/// overlaps the one before when OutputC is not a multiple of 8 (fewer than 8 channels: one block, the extra lanes
/// zero). Correction[8b + lane] is -(128 + InputZeroPoint) * (sum of the channel's weights), which turns the sum over
/// inputs shifted to unsigned (x + 128) back into the sum of W * (x - zp).
/// </summary>
public sealed class Conv2DPackedFilter
{
    internal Conv2DPackedFilter(Conv2DParams p, sbyte[] weights, int[] correction, int groups, int width)
    {
        Params = p;
        Weights = weights;
        Correction = correction;
        Groups = groups;
        Width = width;
        Blocks = correction.Length / width;
    }

    /// <summary>Channels per block: 8, or 4 for the fused conv + depthwise kernel, which works four channels at a time.</summary>
    internal int Width { get; }

    /// <summary>The conv this filter was packed for (its zero point is folded into <see cref="Correction"/>).</summary>
    public Conv2DParams Params { get; }

    internal sbyte[] Weights { get; }

    internal int[] Correction { get; }

    /// <summary>Four-byte groups per window (the window rounded up to a multiple of 4).</summary>
    internal int Groups { get; }

    internal int Blocks { get; }

    internal int Depth => 4 * Groups;

    /// <summary>First output channel of block b.</summary>
    internal int Start(int block) => Params.OutputC >= Width ? Math.Min(Width * block, Params.OutputC - Width) : 0;

    /// <summary>Output channels block b writes (the width, or OutputC when that is smaller).</summary>
    internal int Lanes => Math.Min(Params.OutputC, Width);
}
