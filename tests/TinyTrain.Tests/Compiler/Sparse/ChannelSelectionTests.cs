using TinyTrain.Compiler.Sparse;
using TinyTrain.Ir;

namespace TinyTrain.Tests.Compiler.Sparse;

public class ChannelSelectionTests
{
    /// <summary>A 1x1 conv over 8 input channels, 2 output channels, whose filter is given per (out, in).</summary>
    private static Node Pointwise(sbyte[,] weights)
    {
        var (outC, inC) = (weights.GetLength(0), weights.GetLength(1));
        var b = new GraphBuilder();
        var x = b.Input("x", DType.Int8, new Shape(1, 4, 4, inC), QuantParams.PerTensor(0.1, 0));
        var flat = new sbyte[outC * inC];
        for (var o = 0; o < outC; o++)
            for (var i = 0; i < inC; i++) flat[o * inC + i] = weights[o, i];
        var w = b.Constant("pw.weight", TensorData.From(flat), new Shape(outC, 1, 1, inC), QuantParams.PerChannel(Enumerable.Repeat(0.01, outC), 0));
        return b.Conv2D("pw", x, w, null, new Conv2DAttrs(1, 1, 1, 1, Padding2D.None, ClampRange.Int8, RequantKind.Float), QuantParams.PerTensor(0.1, 0));
    }

    // Squared norms per input channel: 0:25, 1:100, 2:25, 3:4, 4:100, 5:1, 6:50, 7:25
    private static readonly sbyte[,] Filter =
    {
        { 3, 6, 4, 2, 0, 1, 5, 0 },
        { 4, 8, 3, 0, 10, 0, 5, 5 },
    };

    [Theory]
    [InlineData(1.0, new[] { 0, 1, 2, 3, 4, 5, 6, 7 })]
    [InlineData(0.5, new[] { 0, 1, 4, 6 })]          // 100, 100, 50, then the 25s tie -> lowest index 0
    [InlineData(0.25, new[] { 1, 4 })]
    [InlineData(0.125, new[] { 1 })]                 // 1 and 4 tie at 100 -> 1
    [InlineData(0.7, new[] { 0, 1, 2, 4, 6 })]       // floor(5.6) = 5: 25s tie 0, 2, 7 -> 0, 2
    [InlineData(0.01, new[] { 1 })]                  // floor(0.08) = 0 -> at least one channel
    public void Keeps_the_largest_norm_channels(double ratio, int[] expected)
    {
        var conv = Pointwise(Filter);
        Assert.Equal([25L, 100, 25, 4, 100, 1, 50, 25], ChannelSelection.SquaredNorms(conv));
        Assert.Equal(expected, ChannelSelection.Select(conv, ratio).ToArray());
    }

    [Theory]
    [InlineData(96, 0.125, 12)]
    [InlineData(10, 0.99, 9)]   // floor, not round
    [InlineData(10, 0.35, 3)]
    [InlineData(100, 0.29, 29)] // 0.29 * 100 = 28.999999999999996 in double: the slack keeps 29
    [InlineData(7, 0.5, 3)]
    [InlineData(7, 1.0, 7)]
    public void Kept_channels_is_the_floor(int channels, double ratio, int k) =>
        Assert.Equal(k, ChannelSelection.KeptChannels(channels, ratio));

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.5)]
    [InlineData(1.5)]
    public void Ratios_outside_0_1_are_rejected(double ratio) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ChannelSelection.KeptChannels(8, ratio));

    [Fact]
    public void Depthwise_norm_is_per_channel_over_taps()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.Int8, new Shape(1, 4, 4, 3), QuantParams.PerTensor(0.1, 0));
        // 1HWC, 2x2 taps, 3 channels: channel c's taps are at positions t*3 + c.
        sbyte[] taps = [1, 5, 2, 1, 5, 2, 1, 0, 2, 1, 0, 2]; // norms: 4, 50, 16
        var w = b.Constant("dw.weight", TensorData.From(taps), new Shape(1, 2, 2, 3), QuantParams.PerChannel([0.1, 0.1, 0.1], 3));
        var dw = b.DepthwiseConv2D("dw", x, w, null,
            new DepthwiseConv2DAttrs(1, 1, 1, 1, Padding2D.None, 1, ClampRange.Int8, RequantKind.Float), QuantParams.PerTensor(0.1, 0));
        Assert.Equal([4L, 50, 16], ChannelSelection.SquaredNorms(dw));
        Assert.Equal([1, 2], ChannelSelection.Select(dw, 2.0 / 3).ToArray());
    }

    [Fact]
    public void Real_model_selection_is_sorted_and_sized()
    {
        var conv = SparseModels.Mcunet.Find("blocks.13.pointwise1")!;
        var kept = ChannelSelection.Select(conv, 0.25);
        Assert.Equal(24, kept.Length);
        Assert.Equal(kept.Order().ToArray(), kept.ToArray());
        var norms = ChannelSelection.SquaredNorms(conv);
        Assert.True(kept.Min(i => norms[i]) >= Enumerable.Range(0, 96).Except(kept).Max(i => norms[i]));
    }
}
