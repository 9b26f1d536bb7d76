using TinyTrain.Compiler.Sparse;

namespace TinyTrain.Tests.Compiler.Sparse;

/// <summary>The paper's analytic "extra memory" (paper-notes §2.6) must reproduce every published label exactly.</summary>
public class AnalyticMemoryTests
{
    public static TheoryData<string, string, string> PublishedLabels => new()
    {
        { "mcunet-5fps", "paper:49kb", "49.8 KB" },
        { "mcunet-5fps", "paper:74kb", "74.8 KB" },
        { "mcunet-5fps", "paper:99kb", "99.8 KB" },
        { "mcunet-5fps", "paper:124kb", "125.0 KB" },
        { "mcunet-5fps", "paper:148kb", "148.4 KB" },
        { "mbv2-w0.35", "paper:99kb", "99.4 KB" },
        { "mbv2-w0.35", "paper:138kb", "138.3 KB" },
        { "proxyless-w0.3", "paper:98kb", "98.5 KB" },
        { "mcunet-5fps", "last:12", "448.0 KB" },
    };

    [Theory]
    [MemberData(nameof(PublishedLabels))]
    public void Reproduces_the_papers_label(string model, string spec, string label)
    {
        var graph = SparseModels.Get(model);
        var scheme = SchemeParser.Parse(spec, graph);
        Assert.Equal(label, Labels.Kb(AnalyticMemory.ExtraBytes(scheme, graph, classes: 10)));
    }

    [Theory]
    [InlineData(10)]
    [InlineData(1000)]
    [InlineData(2)]
    public void The_number_of_classes_does_not_enter(int classes)
    {
        // Upstream counts the head's parameters as 0 bits (fc_bits = 0) and gives it no mask.
        var graph = SparseModels.Mcunet;
        var scheme = SchemeParser.Parse("paper:99kb", graph);
        Assert.Equal(817920, AnalyticMemory.Breakdown(scheme, graph, classes).TotalBits);
    }

    [Fact]
    public void Exact_halves_round_away_from_zero()
    {
        // mcunet 49kb is exactly 49.75 KB and mbv2 138kb exactly 138.25 KB: the labels read 49.8 and 138.3.
        Assert.Equal(49.75 * 1024, AnalyticMemory.ExtraBytes(SchemeParser.Parse("paper:49kb", SparseModels.Mcunet), SparseModels.Mcunet, 10));
        var mbv2 = SparseModels.Get("mbv2-w0.35");
        Assert.Equal(138.25 * 1024, AnalyticMemory.ExtraBytes(SchemeParser.Parse("paper:138kb", mbv2), mbv2, 10));
        Assert.Equal("49.8 KB", Labels.Kb(49.75 * 1024));
        Assert.Equal("138.3 KB", Labels.Kb(138.25 * 1024));
        Assert.Equal("0.0 KB", Labels.Kb(0));
    }

    [Fact]
    public void Breakdown_of_mcunet_99kb_by_term()
    {
        var graph = SparseModels.Mcunet;
        var b = AnalyticMemory.Breakdown(SchemeParser.Parse("paper:99kb", graph), graph, 10);
        Assert.Equal(18080 * 8, b.MaskBits);
        Assert.Equal(19168 * 8, b.BiasBits);
        Assert.Equal(12352 * 8, b.SavedActivationBits);
        Assert.Equal(52480 * 8, b.WeightCopyBits);
        Assert.Equal(160 * 8, b.HeadInputBits);
        Assert.Equal(22, b.Layers.Length);
        Assert.Equal(b.TotalBits, b.Layers.Sum(l => l.TotalBits) + b.HeadInputBits);
        Assert.Equal(b.TotalBytes, b.Terms().Last().Bytes);
        Assert.Equal(5, b.Terms().Count() - 1);
    }

    [Fact]
    public void Per_layer_terms_follow_the_formula()
    {
        var graph = SparseModels.Mcunet;
        var b = AnalyticMemory.Breakdown(SchemeParser.Parse("paper:99kb", graph), graph, 10);
        // conv 36 = blocks.12.pointwise1: 4x4x96 -> 4x4x384, ratio 1/8 -> k = 12.
        var pw = b.Layers.Single(l => l.ConvIndex == 36);
        Assert.Equal(("blocks.12.pointwise1", 12), (pw.Name, pw.KeptChannels));
        Assert.Equal(4 * 4 * 384, pw.MaskBits);
        Assert.Equal(32 * 384, pw.BiasBits);
        Assert.Equal(8 * 4 * 4 * 12, pw.SavedActivationBits);
        Assert.Equal(8 * 384 * 12, pw.WeightCopyBits);
        // conv 37 = blocks.12.depthwise: bias only.
        var dw = b.Layers.Single(l => l.ConvIndex == 37);
        Assert.Equal((0L, 0L, 0), (dw.SavedActivationBits, dw.WeightCopyBits, dw.KeptChannels));
    }

    [Fact]
    public void Depthwise_weight_copy_is_k_times_taps()
    {
        var graph = SparseModels.Mcunet;
        // conv 40 = blocks.13.depthwise, 3x3 over 4x4x576; half its channels -> k = 288.
        var scheme = new UpdateScheme("dw", 2, [new WeightUpdate(40, 0.5)]);
        var layer = AnalyticMemory.Breakdown(scheme, graph, 10).Layers.Single(l => l.ConvIndex == 40);
        Assert.Equal(288, layer.KeptChannels);
        Assert.Equal(8 * 288 * 9, layer.WeightCopyBits);
        Assert.Equal(8 * 16 * 288, layer.SavedActivationBits);
    }

    [Fact]
    public void Head_only_costs_the_head_input()
    {
        var graph = SparseModels.Mcunet;
        Assert.Equal(160, AnalyticMemory.ExtraBytes(SchemeParser.Parse("head-only", graph), graph, 10));
    }
}
