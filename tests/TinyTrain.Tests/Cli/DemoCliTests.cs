using System.Text.Json;

namespace TinyTrain.Tests.Cli;

/// <summary>`demo` tells the whole story and leaves a report with real plots (the device stage is McuCliTests' subject).</summary>
public sealed class DemoCliTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), $"tinytrain-demo-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public void Demo_fine_tunes_within_256KB_and_writes_a_report_with_plots()
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var code = TinyTrain.Cli.Program.Run(["demo", "--limit", "160", "--val", "60", "--no-device", "--out", folder, "--json"], stdout, stderr);
        Assert.True(code == 0, stderr.ToString());
        var json = JsonDocument.Parse(stdout.ToString()).RootElement;
        Assert.True(json.GetProperty("accuracyAfter").GetDouble() > json.GetProperty("accuracyBefore").GetDouble(), stdout.ToString());
        Assert.InRange(json.GetProperty("arenaBytes").GetInt32(), json.GetProperty("inferenceArenaBytes").GetInt32(), 256 * 1024);
        var report = File.ReadAllText(json.GetProperty("reportPath").GetString()!);
        Assert.Contains("## Memory", report);
        Assert.Contains("skipped (--no-device)", report);
        foreach (var png in new[] { "training.png", "memory.png", "schemes.png" })
        {
            var bytes = File.ReadAllBytes(Path.Combine(folder, png));
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
            Assert.True(bytes.Length > 10_000, $"{png} has {bytes.Length} bytes: an empty chart");
            Assert.Contains($"]({png})", report);
        }
    }
}
