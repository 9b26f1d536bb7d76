using System.Collections.Immutable;
using TinyTrain.Ir;

namespace TinyTrain.Compiler.Sparse;

/// <summary>
/// The paper's <c>magnitude+</c> channel choice (REPO <c>prepare_model_for_backward_config</c>): keep the k input
/// channels whose weight slice has the largest L2 norm, k = floor(ratio·C_in) (upstream <c>int(C_in * ratio)</c>).
/// The norm is over the stored int8 values (as upstream, which takes the norm of the quantised weight tensor), over
/// all output channels and kernel taps; depthwise: over the taps of each channel (and of its depth-multiplier
/// copies). Ties go to the lower index, so the choice is deterministic (upstream's unstable argsort is not).
/// </summary>
public static class ChannelSelection
{
    /// <summary>
    /// k = floor(ratio·channels), but at least 1 for a positive ratio (the paper's schemes never reach the floor of 0;
    /// a user ratio that would keep no channel keeps one). A 1e-9 slack absorbs decimal ratios such as 0.29·100.
    /// </summary>
    public static int KeptChannels(int channels, double ratio)
    {
        if (!(ratio > 0 && ratio <= 1)) throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "a weight ratio must be in (0, 1]");
        if (channels <= 0) return 0;
        return Math.Clamp((int)Math.Floor(ratio * channels + 1e-9), 1, channels);
    }

    /// <summary>The selected input channels of <paramref name="conv"/>, sorted ascending.</summary>
    public static ImmutableArray<int> Select(Node conv, double ratio)
    {
        var norms = SquaredNorms(conv);
        var k = KeptChannels(norms.Length, ratio);
        var order = Enumerable.Range(0, norms.Length).ToArray();
        // Largest norm first; equal norms keep the lower index first (Array.Sort is unstable, so compare indices).
        Array.Sort(order, (a, b) => norms[a] != norms[b] ? norms[b].CompareTo(norms[a]) : a.CompareTo(b));
        var kept = order[..k];
        Array.Sort(kept);
        return [.. kept];
    }

    /// <summary>Squared L2 norm of each input channel's int8 weight slice (exact, in integers; same order as the norm).</summary>
    public static long[] SquaredNorms(Node conv) => conv.Op is ConvLikeOp op
        ? op.SquaredNorms(conv)
        : throw new ArgumentException($"{conv.Name} is a {conv.Op}, not a conv-like op");
}
