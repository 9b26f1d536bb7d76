using TinyTrain.Compiler.Sparse;

namespace TinyTrain.Tests.Compiler.Sparse;

public sealed class SchemeJsonTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("tinytrain-sparse-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string File(string name, string text)
    {
        var path = Path.Combine(dir, name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    private static SchemeException Fails(string path)
    {
        var e = Assert.Throws<SchemeException>(() => SchemeParser.Parse(path, SparseModels.Mcunet));
        Assert.DoesNotContain('\n', e.Message);
        return e;
    }

    [Fact]
    public void Reads_layers_by_index_and_by_name()
    {
        var path = File("mine.json", """
            {"name": "mine", "biasLayers": 22, "weights": [{"conv": 21, "ratio": 1}, {"layer": "blocks.12.pointwise1", "ratio": 0.25},
              {"conv": 39, "layer": "blocks.13.pointwise1", "ratio": "1/8"}, {"layer": "blocks.13.depthwise"}]}
            """);
        var scheme = SchemeParser.Parse(path, SparseModels.Mcunet);
        Assert.Equal(new UpdateScheme("mine", 22, [new(21, 1), new(36, 0.25), new(39, 0.125), new(40, 1)]), scheme);
    }

    [Fact]
    public void Defaults_name_and_bias_range()
    {
        var scheme = SchemeParser.Parse(File("Quick.JSON", """{"weights": [{"conv": 30, "ratio": 0.5}]}"""), SparseModels.Mcunet);
        Assert.Equal(("Quick", 12), (scheme.Name, scheme.BiasLayers));
        Assert.Equal(42, SchemeParser.Parse(File("all.json", """{"biasLayers": "all"}"""), SparseModels.Mcunet).BiasLayers);
    }

    [Theory]
    [InlineData("paper:99kb")]
    [InlineData("paper:49kb")]
    [InlineData("last:5")]
    [InlineData("full")]
    [InlineData("head-only")]
    public void Round_trips_through_json(string spec)
    {
        var graph = SparseModels.Mcunet;
        var scheme = SchemeParser.Parse(spec, graph);
        var json = SchemeWriter.ToJson(scheme, graph);
        var back = SchemeParser.Parse(File("s.json", json), graph);
        Assert.Equal(scheme, back);
        Assert.Equal(json, SchemeWriter.ToJson(back, graph));
    }

    [Fact]
    public void Writer_output_names_layers()
    {
        var graph = SparseModels.Mcunet;
        var json = SchemeWriter.ToJson(SchemeParser.Parse("paper:99kb", graph), graph);
        Assert.Contains("\"biasLayers\": 22", json);
        Assert.Contains("\"layer\": \"blocks.12.pointwise1\"", json);
        Assert.Contains("\"ratio\": 0.125", json);
    }

    [Fact]
    public void Unknown_layer_names_it_and_the_valid_range()
    {
        var e = Fails(File("bad.json", """{"biasLayers": 10, "weights": [{"layer": "blocks.99.pointwise1", "ratio": 1}]}"""));
        Assert.Contains("bad.json", e.Message);
        Assert.Contains("unknown layer 'blocks.99.pointwise1'", e.Message);
        Assert.Contains("0..41 (first_conv .. blocks.13.pointwise2)", e.Message);
        Assert.Contains("unknown layer 42; valid layers are 0..41", Fails(File("idx.json", """{"weights": [{"conv": 42}]}""")).Message);
    }

    [Fact]
    public void Weight_outside_the_bias_range_is_rejected()
    {
        var e = Fails(File("range.json", """{"biasLayers": 5, "weights": [{"layer": "blocks.10.pointwise1", "ratio": 1}]}"""));
        Assert.Contains("range.json", e.Message);
        Assert.Contains("weight layer 30 (blocks.10.pointwise1) lies outside the bias range 37..41", e.Message);
    }

    [Theory]
    [InlineData("{\"biasLayers\": 3,\n \"weights\": [", "not valid scheme JSON")]
    [InlineData("[1, 2]", "expected a JSON object")]
    [InlineData("{\"bias\": 3}", "unknown key 'bias'")]
    [InlineData("{\"biasLayers\": \"many\"}", "'biasLayers' has the wrong type")]
    [InlineData("{\"weights\": [{\"conv\": 40, \"ratio\": \"half\"}]}", "neither a number nor a fraction")]
    [InlineData("{\"weights\": [{\"conv\": 40, \"ratio\": 0}]}", "ratio 0 of conv 40")]
    [InlineData("{\"weights\": [{\"ratio\": 1}]}", "needs \"conv\"")]
    [InlineData("{\"weights\": [{\"conv\": 39, \"layer\": \"blocks.13.depthwise\"}]}", "disagree")]
    public void Bad_files_give_one_line_errors_with_the_file_name(string text, string expected)
    {
        var e = Fails(File("broken.json", text));
        Assert.StartsWith(Path.Combine(dir, "broken.json") + ":", e.Message);
        Assert.Contains(expected, e.Message);
    }
}
