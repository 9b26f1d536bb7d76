using System.Text.Json;
using TinyTrain.Compiler;
using TinyTrain.Compiler.Autodiff;
using TinyTrain.Formats;
using static TinyTrain.Tests.Cli.CliRunner;

namespace TinyTrain.Tests.Cli;

/// <summary>
/// `tinytrain bench` with few rounds: not how fast (tests assert no wall-clock limits), but that the figures agree with
/// each other and with `plan` and `inspect`.
/// </summary>
public class BenchCliTests
{
    private static void AssertRate(JsonElement rate)
    {
        var (median, min, max) = (rate.GetProperty("median").GetDouble(), rate.GetProperty("min").GetDouble(), rate.GetProperty("max").GetDouble());
        Assert.True(min > 0 && min <= median && median <= max, $"rate {median} ({min}..{max})");
    }

    [Fact]
    public void Bench_figures_agree_with_the_lowered_program_plan_and_inspect()
    {
        var (code, output, err) = Run("bench", "mcunet-5fps", "--scheme", "paper:99kb", "--rounds", "2", "--images", "2", "--json");
        Assert.True(code == 0, err);
        Assert.Contains("tinytrain bench: int8 training step", err); // progress goes to stderr, the JSON alone to stdout
        var json = JsonDocument.Parse(output).RootElement;
        foreach (var key in new[] { "inferImagesPerSecond", "trainImagesPerSecond", "macsPerTrainStep", "peakMacsPerSecond" })
            Assert.True(json.GetProperty(key).GetDouble() > 0, key);

        // MACs per step are the lowered training program's, and the kernels' MACs add up to them.
        var graph = ModelLoader.Load("mcunet-5fps");
        var program = Compilation.CompileTraining(graph, "paper:99kb", new TrainingOptions(10)).Program.Program;
        var int8 = json.GetProperty("int8");
        Assert.Equal(program.Macs, json.GetProperty("macsPerTrainStep").GetInt64());
        Assert.Equal(program.Macs, int8.GetProperty("kernels").EnumerateArray().Sum(k => k.GetProperty("macsPerStep").GetInt64()));
        Assert.Contains(int8.GetProperty("kernels").EnumerateArray(),
            k => k.GetProperty("kind").GetString()!.Contains("FilterGrad", StringComparison.Ordinal) && k.GetProperty("macsPerStep").GetInt64() > 0);
        // The fp32 mode runs the same arithmetic in floats: the same MACs, a larger arena.
        var fp32 = json.GetProperty("fp32");
        Assert.Equal(program.Macs, fp32.GetProperty("macsPerStep").GetInt64());
        Assert.True(fp32.GetProperty("arenaBytes").GetInt32() > int8.GetProperty("arenaBytes").GetInt32());

        // The arena is plan's, the inference MACs are inspect's.
        var plan = Json("plan", "mcunet-5fps", "--scheme", "paper:99kb", "--json");
        Assert.Equal(plan.GetProperty("arenaBytes").GetInt32(), json.GetProperty("arenaBytes").GetInt32());
        Assert.Equal(plan.GetProperty("arenaBytes").GetInt32(), int8.GetProperty("arenaBytes").GetInt32());
        Assert.Equal(Json("inspect", "mcunet-5fps", "--json").GetProperty("macs").GetInt64(), json.GetProperty("macsPerInference").GetInt64());
        Assert.True(program.Macs > json.GetProperty("macsPerInference").GetInt64(), "a training step does more than the forward pass");

        // Rates are medians within their spread; time shares add up to the whole step; no kernel beats the peak.
        AssertRate(json.GetProperty("inference"));
        AssertRate(int8.GetProperty("imagesPerSecond"));
        AssertRate(fp32.GetProperty("imagesPerSecond"));
        foreach (var figures in new[] { int8, fp32 })
        {
            var kernels = figures.GetProperty("kernels").EnumerateArray().ToList();
            Assert.InRange(kernels.Sum(k => k.GetProperty("timeShare").GetDouble()), 0.999, 1.001);
            Assert.All(kernels, k => Assert.InRange(k.GetProperty("ofPeak").GetDouble(), 0, 1));
            Assert.InRange(figures.GetProperty("ofLimit").GetDouble(), 1e-6, 1);
            Assert.Equal(figures.GetProperty("macsPerStep").GetInt64() * figures.GetProperty("imagesPerSecond").GetProperty("median").GetDouble(),
                figures.GetProperty("macsPerSecond").GetDouble(), 1e-6 * figures.GetProperty("macsPerSecond").GetDouble());
        }

        // Resident memory: measured on Linux, and far above the arena (the runtime, the model's constants, the data).
        var peak = json.GetProperty("peakRssBytes").GetInt64();
        Assert.True(peak >= json.GetProperty("rssBeforeTrainingBytes").GetInt64() && peak > json.GetProperty("arenaBytes").GetInt32(), $"peak RSS {peak}");
    }

    [Fact]
    public void Bench_prints_tables_and_says_when_the_fp32_mode_cannot_run_a_model()
    {
        // A uint8-input model: the fp32 mode has no Quantize.
        var wand = TestData.Path("zoo", "aww_v01_uint8in.tflite");
        var (code, output, err) = Run("bench", wand, "--scheme", "head-only", "--rounds", "1", "--images", "1");
        Assert.True(code == 0, err);
        Assert.Contains("(int8)", output); // the table row "training step (int8)", wrapped in a narrow console
        Assert.Contains("no fp32 training step", output);
        Assert.Contains("kernel", output);
        var json = Json("bench", wand, "--scheme", "head-only", "--rounds", "1", "--images", "1", "--batch", "2", "--threads", "2", "--json");
        Assert.False(json.TryGetProperty("fp32", out _));
        Assert.Contains("Quantize", json.GetProperty("fp32Unavailable").GetString());
        Assert.Equal(2, json.GetProperty("threads").GetInt32());
        AssertRate(json.GetProperty("int8").GetProperty("imagesPerSecond"));
    }

    /// <summary>A .tflite model ending in SOFTMAX has an fp32 baseline: the softmax goes with the replaced classifier.</summary>
    [Fact]
    public void Bench_measures_the_fp32_mode_of_a_tflite_model_ending_in_a_softmax()
    {
        var resnet = TestData.Path("mlperf-tiny", "pretrainedResnet_quant.tflite");
        var json = Json("bench", resnet, "--scheme", "last:2", "--rounds", "1", "--images", "1", "--json");
        Assert.False(json.TryGetProperty("fp32Unavailable", out _));
        AssertRate(json.GetProperty("fp32").GetProperty("imagesPerSecond"));
        Assert.Contains(json.GetProperty("fp32").GetProperty("kernels").EnumerateArray(), k => k.GetProperty("kind").GetString() == "Conv2D (fp32)");
    }

    [Fact]
    public void Bench_refuses_a_zero_batch()
    {
        var (code, _, err) = Run("bench", "mcunet-5fps", "--batch", "0");
        Assert.NotEqual(0, code);
        Assert.Contains("at least 1", err);
    }
}
