using System.Text.Json;

namespace TinyTrain.Tests.Cli;

public sealed class SearchCliTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), $"tinytrain-search-{Guid.NewGuid():N}");

    public SearchCliTests() => Directory.CreateDirectory(folder);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var code = TinyTrain.Cli.Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Theory]
    [InlineData("100KB", "arena", "131,072 B that inference alone needs")]       // mcunet's planned inference arena (conv + depthwise fused)
    [InlineData("100B", "analytic", "160 B of extra memory that training the head alone needs")]
    public void A_budget_below_the_minimum_is_one_line_naming_the_minimum(string budget, string cost, string expected)
    {
        var (code, _, err) = Run("search", "mcunet-5fps", "--data", "mnist", "--budget", budget, "--cost", cost, "--cache", folder);
        Assert.Equal(1, code);
        Assert.StartsWith("tinytrain: ", err);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.Contains(expected, err);
        Assert.False(Directory.Exists(Path.Combine(folder, "contrib")), "the analysis started before the budget was checked");
    }

    [Fact]
    public void A_tiny_search_writes_a_scheme_that_plan_accepts_and_is_independent_of_the_number_of_jobs()
    {
        string[] Args(string cache, string jobs, string output) =>
        [
            "search", "mcunet-5fps", "--data", "mnist", "--budget", "48KB", "--cost", "analytic", "--limit", "24", "--val", "8",
            "--bias-convs", "3", "--weight-convs", "2", "--population", "20", "--generations", "5",
            "--cache", Path.Combine(folder, cache), "--jobs", jobs, "--out", Path.Combine(folder, output), "--png", Path.Combine(folder, "curves.png"), "--json",
        ];
        var (code, output, err) = Run(Args("a", "2", "two.json"));
        Assert.True(code == 0, err);
        var json = JsonDocument.Parse(output).RootElement;
        foreach (var key in new[] { "scheme", "predictedGain", "arenaBytes" }) Assert.True(json.TryGetProperty(key, out _), key);
        Assert.Equal(4 + 2 * 4, json.GetProperty("analysis").GetProperty("runs").GetInt32());
        Assert.Equal(0, json.GetProperty("analysis").GetProperty("cached").GetInt32());
        Assert.True(json.GetProperty("evolutionGap").GetDouble() >= 0);
        Assert.True(json.GetProperty("analyticExtraBytes").GetDouble() <= 48 * 1024);
        Assert.True(new FileInfo(Path.Combine(folder, "curves.png")).Length > 1000);

        var (oneCode, oneOutput, oneErr) = Run(Args("b", "1", "one.json"));
        Assert.True(oneCode == 0, oneErr);
        var one = JsonDocument.Parse(oneOutput).RootElement;
        Assert.Equal(json.GetProperty("analysis").GetProperty("biasGains").GetRawText(), one.GetProperty("analysis").GetProperty("biasGains").GetRawText());
        Assert.Equal(json.GetProperty("analysis").GetProperty("weightGains").GetRawText(), one.GetProperty("analysis").GetProperty("weightGains").GetRawText());
        Assert.Equal(File.ReadAllText(Path.Combine(folder, "two.json")), File.ReadAllText(Path.Combine(folder, "one.json")));

        // Run again on the first cache: nothing is trained, the answer is the same.
        var (againCode, againOutput, _) = Run(Args("a", "2", "again.json"));
        Assert.Equal(0, againCode);
        Assert.Equal(12, JsonDocument.Parse(againOutput).RootElement.GetProperty("analysis").GetProperty("cached").GetInt32());

        var (planCode, planOutput, planErr) = Run("plan", "mcunet-5fps", "--scheme", Path.Combine(folder, "two.json"), "--json");
        Assert.True(planCode == 0, planErr);
        Assert.Equal(json.GetProperty("arenaBytes").GetInt32(), JsonDocument.Parse(planOutput).RootElement.GetProperty("arenaBytes").GetInt32());
    }
}
