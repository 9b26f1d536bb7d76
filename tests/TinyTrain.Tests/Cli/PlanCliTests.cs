using System.Text.Json;

namespace TinyTrain.Tests.Cli;

public class PlanCliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var code = TinyTrain.Cli.Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Plan_json_has_the_contract_keys_and_a_consistent_bill()
    {
        var (code, output, err) = Run("plan", "mcunet-5fps", "--scheme", "paper:99kb", "--json");
        Assert.True(code == 0, err);
        var json = JsonDocument.Parse(output).RootElement;
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
