using static TinyTrain.Tests.Cli.CliRunner;

namespace TinyTrain.Tests.Cli;

public class PlanCliTests
{
    [Fact]
    public void Plan_json_has_the_contract_keys_and_a_consistent_bill()
    {
        var json = Json("plan", "mcunet-5fps", "--scheme", "paper:99kb", "--json");
        foreach (var key in new[] { "analyticExtraBytes", "arenaBytes", "flashBytes", "fitsBudget" }) Assert.True(json.TryGetProperty(key, out _), key);
        Assert.Equal(99.8, Math.Round(json.GetProperty("analyticExtraBytes").GetDouble() / 1024, 1, MidpointRounding.AwayFromZero));
        var tensors = json.GetProperty("tensors").EnumerateArray().ToList();
        // The arena holds every tensor at its offset: none ends past the arena.
        var arena = json.GetProperty("arenaBytes").GetInt32();
        Assert.All(tensors, t => Assert.True(t.GetProperty("offset").GetInt32() + t.GetProperty("bytes").GetInt32() <= arena));
        Assert.Contains(tensors, t => t.GetProperty("kind").GetString() == "trained parameter");
        Assert.Contains(tensors, t => t.GetProperty("kind").GetString() == "clamp mask");
    }

    [Fact]
    public void Every_paper_scheme_fits_256KB_and_the_memory_passes_more_than_halve_every_arena()
    {
        (string Model, string[] Budgets)[] schemes =
        [
            ("mcunet-5fps", ["49kb", "74kb", "99kb", "124kb", "148kb"]),
            ("mbv2-w0.35", ["49kb", "73kb", "99kb", "123kb", "138kb"]),
            ("proxyless-w0.3", ["49kb", "74kb", "98kb", "120kb", "148kb"]),
        ];
        foreach (var (model, budgets) in schemes)
        {
            foreach (var budget in budgets)
            {
                var on = Json("plan", model, "--scheme", "paper:" + budget, "--json", "--budget", "256KB");
                var off = Json("plan", model, "--scheme", "paper:" + budget, "--json", "--no-reorder");
                Assert.True(on.GetProperty("fitsBudget").GetBoolean(), $"{model} {budget}: {on.GetProperty("arenaBytes")} B");
                Assert.True(on.GetProperty("arenaBytes").GetInt32() * 2 < off.GetProperty("arenaBytes").GetInt32(), $"{model} {budget}");
                Assert.False(off.GetProperty("reordered").GetBoolean());
                // No layout beats the live-bytes bound, and the planner never reports below it.
                Assert.InRange(on.GetProperty("lowerBoundBytes").GetInt32(), 1, on.GetProperty("arenaBytes").GetInt32());
            }
        }
    }

    [Fact]
    public void Mcunet_49kb_needs_less_sram_than_the_upstream_engines_generated_code()
    {
        // TinyEngine's own code for this scheme plans a 189,800 B arena (and keeps 38,944 B of trainable copies besides).
        var plan = Json("plan", "mcunet-5fps", "--scheme", "paper:49kb", "--json");
        Assert.InRange(plan.GetProperty("arenaBytes").GetInt32(), 1, 189_799);
    }

    [Fact]
    public void Timeline_charts_as_text_and_as_a_png()
    {
        using var folder = new TemporaryFolder("tinytrain-timeline-");
        var png = folder.File("timeline.png");
        var (code, output, err) = Run("plan", "mcunet-5fps", "--scheme", "paper:49kb", "--timeline", "--png", png);
        Assert.True(code == 0, err);
        Assert.Contains("^ loss", output);
        Assert.Contains("|#", output);
        var bytes = File.ReadAllBytes(png);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
        Assert.False(File.Exists(png + ".tmp.png"));
    }

    [Fact]
    public void A_scheme_over_budget_fails_naming_the_largest_tensors_at_the_peak()
    {
        var (code, _, err) = Run("plan", "mcunet-5fps", "--scheme", "last:12", "--budget", "64KB", "--json");
        Assert.Equal(1, code);
        Assert.Contains("over the 65,536 B budget", err);
        Assert.Contains("largest live tensors are", err);
        Assert.Single(err.TrimEnd().Split('\n'));
    }

    [Theory]
    [InlineData("256KB", 262144)]
    [InlineData("320KiB", 327680)]
    [InlineData("1MB", 1048576)]
    [InlineData("4096", 4096)]
    public void Budgets_are_read_as_the_paper_counts(string text, long bytes) => Assert.Equal(bytes, TinyTrain.Cli.Bytes.Parse(text));
}
