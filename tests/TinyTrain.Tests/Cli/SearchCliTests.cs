using static TinyTrain.Tests.Cli.CliRunner;

namespace TinyTrain.Tests.Cli;

public sealed class SearchCliTests
{
    [Theory]
    [InlineData("100KB", "arena", "131,072 B that inference alone needs")]       // mcunet's planned inference arena (conv + depthwise fused)
    [InlineData("100B", "analytic", "160 B of extra memory that training the head alone needs")]
    public void A_budget_below_the_minimum_is_one_line_naming_the_minimum(string budget, string cost, string expected)
    {
        using var folder = new TemporaryFolder("tinytrain-search-");
        var (code, _, err) = Run("search", "mcunet-5fps", "--data", "mnist", "--budget", budget, "--cost", cost, "--cache", folder.Path);
        Assert.Equal(1, code);
        Assert.StartsWith("tinytrain: ", err);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.Contains(expected, err);
        Assert.False(Directory.Exists(folder.File("contrib")), "the analysis started before the budget was checked");
    }

    [Fact]
    public void A_tiny_search_writes_a_scheme_that_plan_accepts_and_is_independent_of_the_number_of_jobs()
    {
        using var folder = new TemporaryFolder("tinytrain-search-");
        string[] Args(string cache, string jobs, string output) =>
        [
            "search", "mcunet-5fps", "--data", "mnist", "--budget", "48KB", "--cost", "analytic", "--limit", "24", "--val", "8",
            "--bias-convs", "3", "--weight-convs", "2", "--population", "20", "--generations", "5",
            "--cache", folder.File(cache), "--jobs", jobs, "--out", folder.File(output), "--png", folder.File("curves.png"), "--json",
        ];
        var json = Json(Args("a", "2", "two.json"));
        foreach (var key in new[] { "scheme", "predictedGain", "arenaBytes" }) Assert.True(json.TryGetProperty(key, out _), key);
        Assert.Equal(4 + 2 * 4, json.GetProperty("analysis").GetProperty("runs").GetInt32());
        Assert.Equal(0, json.GetProperty("analysis").GetProperty("cached").GetInt32());
        Assert.True(json.GetProperty("evolutionGap").GetDouble() >= 0);
        Assert.True(json.GetProperty("analyticExtraBytes").GetDouble() <= 48 * 1024);
        Assert.True(new FileInfo(folder.File("curves.png")).Length > 1000);

        var one = Json(Args("b", "1", "one.json"));
        Assert.Equal(json.GetProperty("analysis").GetProperty("biasGains").GetRawText(), one.GetProperty("analysis").GetProperty("biasGains").GetRawText());
        Assert.Equal(json.GetProperty("analysis").GetProperty("weightGains").GetRawText(), one.GetProperty("analysis").GetProperty("weightGains").GetRawText());
        Assert.Equal(File.ReadAllText(folder.File("two.json")), File.ReadAllText(folder.File("one.json")));

        // Run again on the first cache: nothing is trained, the answer is the same.
        Assert.Equal(12, Json(Args("a", "2", "again.json")).GetProperty("analysis").GetProperty("cached").GetInt32());

        var plan = Json("plan", "mcunet-5fps", "--scheme", folder.File("two.json"), "--json");
        Assert.Equal(json.GetProperty("arenaBytes").GetInt32(), plan.GetProperty("arenaBytes").GetInt32());
    }
}
