using TinyTrain.Compiler.Sparse;

namespace TinyTrain.Tests.Compiler.Sparse;

public class SchemeParserTests
{
    private static SchemeException Fails(string spec, string model = "mcunet-5fps")
    {
        var e = Assert.Throws<SchemeException>(() => SchemeParser.Parse(spec, SparseModels.Get(model)));
        Assert.DoesNotContain('\n', e.Message);
        return e;
    }

    [Fact]
    public void Every_paper_scheme_parses_on_its_model()
    {
        var all = PaperSchemes.AllSchemes().ToList();
        Assert.Equal(15, all.Count);
        foreach (var (model, budget) in all)
        {
            var scheme = SchemeParser.Parse("paper:" + budget, SparseModels.Get(model));
            Assert.Equal("paper:" + budget, scheme.Name);
            Assert.All(scheme.Weights, w => Assert.InRange(w.Ratio, 0.125, 1.0));
        }
        Assert.Equal(["49kb", "73kb", "99kb", "123kb", "138kb"], PaperSchemes.Budgets("mbv2-w0.35"));
    }

    [Fact]
    public void Paper_99kb_on_mcunet_is_the_table_row()
    {
        var scheme = SchemeParser.Parse("paper:99kb", SparseModels.Mcunet);
        Assert.Equal(22, scheme.BiasLayers);
        Assert.Equal([new(21, 1), new(24, 1), new(27, 1), new(30, 1), new(36, 0.125), new(39, 0.25)], scheme.Weights.ToArray());
    }

    [Fact]
    public void Ratio_zero_entries_of_the_table_are_dropped()
    {
        var scheme = SchemeParser.Parse("paper:49kb", SparseModels.Mcunet); // 23:0, 24:1/4, 27:1/2, 30:1/2, 33:0, 39:0
        Assert.Equal(20, scheme.BiasLayers);
        Assert.Equal([new(24, 0.25), new(27, 0.5), new(30, 0.5)], scheme.Weights.ToArray());
    }

    [Theory]
    [InlineData("PAPER:99KB")]
    [InlineData("Paper:99kb")]
    [InlineData("  paper:99Kb ")]
    public void Keywords_are_case_insensitive(string spec) =>
        Assert.Equal(SchemeParser.Parse("paper:99kb", SparseModels.Mcunet), SchemeParser.Parse(spec, SparseModels.Mcunet));

    [Fact]
    public void Builtin_forms()
    {
        var graph = SparseModels.Mcunet;
        var full = SchemeParser.Parse("FULL", graph);
        Assert.Equal((42, 42), (full.BiasLayers, full.Weights.Length));
        Assert.All(full.Weights, w => Assert.Equal(1.0, w.Ratio));
        var bias = SchemeParser.Parse("Bias-Only", graph);
        Assert.Equal((42, 0), (bias.BiasLayers, bias.Weights.Length));
        var head = SchemeParser.Parse("head-only", graph);
        Assert.Equal((0, 0), (head.BiasLayers, head.Weights.Length));
        var last = SchemeParser.Parse("Last:12", graph);
        Assert.Equal(("last:12", 12), (last.Name, last.BiasLayers));
        Assert.Equal(Enumerable.Range(30, 12).Select(i => new WeightUpdate(i, 1)), last.Weights);
        Assert.Equal(42, SchemeParser.Parse("last:42", graph).Weights.Length);
    }

    [Fact]
    public void Unknown_scheme_lists_the_accepted_forms()
    {
        var e = Fails("everything");
        Assert.Contains("unknown scheme 'everything'", e.Message);
        Assert.Contains("paper:", e.Message);
        Assert.Contains("last:N", e.Message);
        Assert.Contains("bias-only", e.Message);
        Assert.Contains("not found", Fails("missing-scheme.json").Message);
    }

    [Fact]
    public void Unknown_budget_lists_the_models_budgets()
    {
        var e = Fails("paper:73kb"); // mbv2's label, not mcunet's
        Assert.Contains("mcunet-5fps has no paper scheme '73kb'", e.Message);
        Assert.Contains("paper:49kb, paper:74kb, paper:99kb, paper:124kb, paper:148kb", e.Message);
        Assert.Contains("paper:74kb", Fails("paper:74kb", "mbv2-w0.35").Message);
        Assert.Contains("paper:98kb", Fails("paper:99kb", "proxyless-w0.3").Message);
    }

    [Fact]
    public void Paper_scheme_on_a_tflite_model_is_refused()
    {
        var e = Fails("paper:99kb", "vww");
        Assert.Contains("paper schemes exist only for mcunet-5fps, mbv2-w0.35, proxyless-w0.3", e.Message);
    }

    [Theory]
    [InlineData("last:0")]
    [InlineData("last:999")]
    [InlineData("last:-3")]
    [InlineData("last:x")]
    public void Last_n_must_be_in_range(string spec) =>
        Assert.Contains("N must be an integer in 1..42", Fails(spec).Message);

    [Fact]
    public void Tflite_model_takes_the_generic_forms()
    {
        var graph = SparseModels.Get("vww");
        var count = ConvIndex.Of(graph).Count;
        Assert.Equal(count, SchemeParser.Parse("full", graph).Weights.Length);
        Assert.Equal(3, SchemeParser.Parse("last:3", graph).Weights.Length);
        Assert.Contains($"1..{count}", Fails("last:0", "vww").Message);
    }

    [Fact]
    public void Weight_outside_the_bias_range_names_the_layer()
    {
        var index = ConvIndex.Of(SparseModels.Mcunet);
        var e = Assert.Throws<SchemeException>(() => new UpdateScheme("bad", 5, [new WeightUpdate(30, 1)]).Validate(index));
        Assert.Contains("30 (blocks.10.pointwise1)", e.Message);
        Assert.Contains("outside the bias range 37..41", e.Message);
        Assert.Contains("ratio 1.5 of conv 40 (blocks.13.depthwise) is not in (0, 1]",
            Assert.Throws<SchemeException>(() => new UpdateScheme("r", 2, [new WeightUpdate(40, 1.5)]).Validate(index)).Message);
        Assert.Contains("listed twice", Assert.Throws<SchemeException>(() => new UpdateScheme("d", 2, [new WeightUpdate(40, 1), new WeightUpdate(40, 0.5)]).Validate(index)).Message);
        Assert.Contains("0..42", Assert.Throws<SchemeException>(() => new UpdateScheme("b", 43, []).Validate(index)).Message);
    }
}
