using static TinyTrain.Tests.Cli.CliRunner;

namespace TinyTrain.Tests.Cli;

/// <summary>`demo` tells the whole story and leaves a report with real plots (the device stage is McuCliTests' subject).</summary>
public sealed class DemoCliTests
{
    [Fact]
    public void Demo_fine_tunes_within_256KB_and_writes_a_report_with_plots()
    {
        using var folder = new TemporaryFolder("tinytrain-demo-");
        var json = Json("demo", "--limit", "160", "--val", "60", "--no-device", "--out", folder.Path, "--json");
        Assert.True(json.GetProperty("accuracyAfter").GetDouble() > json.GetProperty("accuracyBefore").GetDouble(), json.GetRawText());
        Assert.InRange(json.GetProperty("arenaBytes").GetInt32(), json.GetProperty("inferenceArenaBytes").GetInt32(), 256 * 1024);
        var report = File.ReadAllText(json.GetProperty("reportPath").GetString()!);
        Assert.Contains("## Memory", report);
        Assert.Contains("skipped (--no-device)", report);
        foreach (var png in new[] { "training.png", "memory.png", "schemes.png" })
        {
            var bytes = File.ReadAllBytes(folder.File(png));
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
            Assert.True(bytes.Length > 10_000, $"{png} has {bytes.Length} bytes: an empty chart");
            Assert.Contains($"]({png})", report);
        }
    }
}
