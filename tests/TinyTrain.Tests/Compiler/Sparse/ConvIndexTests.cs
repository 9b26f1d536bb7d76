using TinyTrain.Compiler.Sparse;
using TinyTrain.Ir;

namespace TinyTrain.Tests.Compiler.Sparse;

public class ConvIndexTests
{
    [Theory]
    [InlineData("mcunet-5fps", 42, 160)]
    [InlineData("mbv2-w0.35", 51, 112)]
    [InlineData("proxyless-w0.3", 60, 96)]
    public void Paper_models_have_the_papers_conv_counts(string model, int count, int headInput)
    {
        var index = ConvIndex.Of(SparseModels.Get(model));
        Assert.Equal(count, index.Count);
        Assert.Equal("classifier", index.Classifier!.Name);
        Assert.Equal(headInput, index.Classifier.InChannels);
        Assert.Equal("first_conv", index[0].Name);
        Assert.Equal(Enumerable.Range(0, count), index.Convs.Select(c => c.Index));
        Assert.DoesNotContain(index.Convs, c => c.Name == "classifier");
    }

    [Theory]
    [InlineData("mcunet-5fps", 39)]
    [InlineData("mbv2-w0.35", 48)]
    [InlineData("proxyless-w0.3", 57)]
    public void First_pointwise_convs_sit_at_3_6_9(string model, int last)
    {
        var index = ConvIndex.Of(SparseModels.Get(model));
        var pw1 = index.Convs.Where(c => c.Name.EndsWith(".pointwise1", StringComparison.Ordinal)).Select(c => c.Index);
        Assert.Equal(Enumerable.Range(1, last / 3).Select(i => 3 * i), pw1);
        Assert.Equal($"blocks.{last / 3}.pointwise1", index[last].Name);
    }

    [Fact]
    public void Exposes_shapes_kernels_and_channels()
    {
        var index = ConvIndex.Of(SparseModels.Mcunet);
        var dw = index[10]; // blocks.3.depthwise, 7x7 stride 2
        Assert.Equal(("blocks.3.depthwise", Ops.DepthwiseConv2D), (dw.Name, dw.Op));
        Assert.Equal(new Shape(1, 32, 32, 48), dw.InputShape);
        Assert.Equal(new Shape(1, 16, 16, 48), dw.OutputShape);
        Assert.Equal((7, 7, 48, 48), (dw.KernelH, dw.KernelW, dw.InChannels, dw.OutChannels));
        Assert.Equal((32L * 32, 16L * 16 * 48), (dw.InputSpatial, dw.OutputElements));
        var pw = index[39];
        Assert.Equal((1, 96, 576), (pw.KernelTaps, pw.InChannels, pw.OutChannels));
        Assert.Equal("blocks.13.pointwise1.weight", pw.Filter.Name);
        Assert.Equal("blocks.13.pointwise1.bias", pw.Bias!.Name);
        Assert.Same(pw, index.Find("blocks.13.pointwise1"));
        Assert.Null(index.Find("classifier"));
    }

    [Fact]
    public void Tflite_model_excludes_its_dense_head()
    {
        var graph = SparseModels.Get("vww");
        var index = ConvIndex.Of(graph);
        Assert.Equal(Ops.FullyConnected, index.Classifier!.Op);
        Assert.Equal((256, 2), (index.Classifier.InChannels, index.Classifier.OutChannels));
        Assert.Equal(graph.Operations.Count(n => n.Op is ConvLikeOp) - 1, index.Count);
        Assert.All(index.Convs, c => Assert.NotEqual(Ops.FullyConnected, c.Op));
    }
}
