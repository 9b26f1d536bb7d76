using TinyTrain.Tests.CodeGen;
using static TinyTrain.Tests.Cli.CliRunner;

namespace TinyTrain.Tests.Cli;

/// <summary>
/// `codegen` and `mcu` end to end: the generated project links for a Cortex-M7 within 256 KB of SRAM and 1 MB of flash,
/// trains bare metal in QEMU on Fashion-MNIST images and matches the host bit for bit; a device too small is named.
/// </summary>
public sealed class McuCliTests
{
    [ToolFact("arm-none-eabi-gcc", "qemu-system-arm")]
    public void Mcunet_49kb_trains_on_an_emulated_cortex_m7_within_256KB_and_matches_the_host()
    {
        using var folder = new TemporaryFolder("tinytrain-mcu-test-");
        var json = Json("mcu", "mcunet-5fps", "--scheme", "paper:49kb", "--steps", "2", "--out", folder.Path, "--json");
        Assert.True(json.GetProperty("matchesHost").GetBoolean());
        Assert.InRange(json.GetProperty("staticRamBytes").GetInt64(), json.GetProperty("arenaBytes").GetInt64(), 256 * 1024 - 1);
        Assert.InRange(json.GetProperty("flashBytes").GetInt64(), 100_000, 1024 * 1024);
        Assert.InRange(json.GetProperty("stackPeakBytes").GetInt64(), 64, 8 * 1024);
        // A training step costs more than the forward pass of an inference, which costs more than one instruction per MAC.
        var step = json.GetProperty("instructionsPerStep").GetInt64();
        var inference = json.GetProperty("instructionsPerInference").GetInt64();
        Assert.True(step > inference && inference > 20_000_000, $"{step} per step, {inference} per inference");
        // The first step's zero head sends the backbone a zero gradient: the figure is the second's.
        Assert.Equal(2, json.GetProperty("stepInstructions").GetArrayLength());
        Assert.Equal(json.GetProperty("stepInstructions")[1].GetInt64(), step);
    }

    [ToolFact("arm-none-eabi-gcc")]
    public void A_device_with_too_little_sram_fails_the_link_with_the_overflow_named()
    {
        using var folder = new TemporaryFolder("tinytrain-mcu-test-");
        var (code, _, error) = Run("mcu", "mcunet-5fps", "--scheme", "paper:49kb", "--ram", "128KB", "--out", folder.Path);
        Assert.Equal(1, code);
        Assert.Matches(@"^tinytrain: the program does not fit the device: region RAM \(128 KB of SRAM\) overflowed by \d+ bytes\s*$", error);
    }

    [Fact]
    public void Codegen_writes_the_project_and_reports_its_arena()
    {
        using var folder = new TemporaryFolder("tinytrain-mcu-test-");
        var json = Json("codegen", "mcunet-5fps", "--scheme", "paper:49kb", "--out", folder.Path, "--json");
        var files = json.GetProperty("files").EnumerateArray().Select(f => f.GetString()).ToList();
        Assert.Contains("model.c", files);
        Assert.Contains("link.ld", files);
        Assert.Contains("tinytrain/conv2d.c", files);
        Assert.All(files, f => Assert.True(File.Exists(folder.File(f!)), f));
        Assert.Contains($"#define MODEL_ARENA_BYTES {json.GetProperty("arenaBytes").GetInt32()}", File.ReadAllText(folder.File("model.h")), StringComparison.Ordinal);
        Assert.Contains("LENGTH = 256K", File.ReadAllText(folder.File("link.ld")), StringComparison.Ordinal);
    }
}
