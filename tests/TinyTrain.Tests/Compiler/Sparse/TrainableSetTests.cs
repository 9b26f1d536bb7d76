using TinyTrain.Compiler.Sparse;

namespace TinyTrain.Tests.Compiler.Sparse;

public class TrainableSetTests
{
    [Fact]
    public void Mcunet_99kb_resolves_to_the_papers_tensors()
    {
        var graph = SparseModels.Mcunet;
        var set = TrainableSet.Resolve(SchemeParser.Parse("paper:99kb", graph), graph);

        // Biases of the last 22 convs (20..41); weights of 21, 24, 27, 30 (all), 36 (1/8 of 96), 39 (1/4 of 96); the head.
        var expected = new List<(string Name, TrainableRole Role, int Conv, int Channels)>();
        var names = ConvIndex.Of(graph).Convs.Select(c => c.Name).ToArray();
        var weights = new Dictionary<int, int> { [21] = 40, [24] = 48, [27] = 48, [30] = 48, [36] = 12, [39] = 24 };
        for (var i = 20; i < 42; i++)
        {
            if (weights.TryGetValue(i, out var k)) expected.Add((names[i] + ".weight", TrainableRole.Weight, i, k));
            expected.Add((names[i] + ".bias", TrainableRole.Bias, i, ConvIndex.Of(graph)[i].OutChannels));
        }
        expected.Add(("classifier.weight", TrainableRole.HeadWeight, -1, 160));
        expected.Add(("classifier.bias", TrainableRole.HeadBias, -1, 1000));

        Assert.Equal(expected, set.Tensors.Select(t => (t.Name, t.Role, t.ConvIndex, t.ChannelCount)));
        Assert.Equal(22, set.Tensors.Count(t => t.Role == TrainableRole.Bias));
        Assert.Equal(
            ["blocks.7.pointwise1.weight", "blocks.8.pointwise1.weight", "blocks.9.pointwise1.weight",
             "blocks.10.pointwise1.weight", "blocks.12.pointwise1.weight", "blocks.13.pointwise1.weight"],
            set.Tensors.Where(t => t.Role == TrainableRole.Weight).Select(t => t.Name));
        Assert.Equal("blocks.6.pointwise2.bias", set.Tensors[0].Name);
    }

    [Fact]
    public void Partial_weights_carry_the_selected_channels()
    {
        var graph = SparseModels.Mcunet;
        var set = TrainableSet.Resolve(SchemeParser.Parse("paper:99kb", graph), graph);
        var w = set.Find("blocks.13.pointwise1.weight")!;
        Assert.True(w.IsPartial);
        Assert.Equal(ChannelSelection.Select(graph.Find("blocks.13.pointwise1")!, 0.25).ToArray(), w.Channels.ToArray());
        Assert.Equal((96, 576L * 24), (w.TotalChannels, w.Elements));
        Assert.Same(graph.Find("blocks.13.pointwise1.weight"), w.Tensor);
        Assert.False(set.Find("blocks.7.pointwise1.weight")!.IsPartial);
        Assert.Equal(2, set.Of(graph.Find("blocks.13.pointwise1")!).Count());
        Assert.Empty(set.Of(graph.Find("blocks.6.depthwise")!));
    }

    [Fact]
    public void Head_only_trains_just_the_head()
    {
        var graph = SparseModels.Mcunet;
        var set = TrainableSet.Resolve(SchemeParser.Parse("head-only", graph), graph);
        Assert.Equal(["classifier.weight", "classifier.bias"], set.Tensors.Select(t => t.Name));
        Assert.Equal(160_000, set.Tensors[0].Elements);
    }

    [Fact]
    public void Full_and_bias_only_cover_every_conv()
    {
        var graph = SparseModels.Get("mbv2-w0.35");
        var full = TrainableSet.Resolve(SchemeParser.Parse("full", graph), graph);
        Assert.Equal(51 * 2 + 2, full.Tensors.Length);
        Assert.All(full.Tensors, t => Assert.False(t.IsPartial));
        var biasOnly = TrainableSet.Resolve(SchemeParser.Parse("bias-only", graph), graph);
        Assert.Equal(51, biasOnly.Tensors.Count(t => t.Role == TrainableRole.Bias));
        Assert.DoesNotContain(biasOnly.Tensors, t => t.Role == TrainableRole.Weight);
    }

    [Fact]
    public void Resolution_is_deterministic()
    {
        var graph = SparseModels.Get("proxyless-w0.3");
        var scheme = SchemeParser.Parse("paper:98kb", graph);
        var a = TrainableSet.Resolve(scheme, graph).Tensors;
        var b = TrainableSet.Resolve(scheme, graph).Tensors;
        Assert.Equal(a.Select(t => (t.Name, string.Join(",", t.Channels))), b.Select(t => (t.Name, string.Join(",", t.Channels))));
    }
}
