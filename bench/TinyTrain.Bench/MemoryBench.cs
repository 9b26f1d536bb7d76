using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using TinyTrain.Compiler;
using TinyTrain.Compiler.Autodiff;
using TinyTrain.Compiler.Schedule;
using TinyTrain.Data;
using TinyTrain.Formats;
using TinyTrain.Runtime.Benchmarking;
using TinyTrain.Runtime.Training;

namespace TinyTrain.Bench;

/// <summary>
/// Resident memory of a real training run next to its planned arena. Each run is a child process (`-- rss MODEL SCHEME
/// PRECISION`), so its figures are its own: RSS once the runtime is up, the peak while loading and compiling, then the
/// peak reset and measured again over training (Trainer, batch 1, real images decoded and resized as `train` does).
/// </summary>
public static class MemoryBench
{
    public const int TrainImages = 100;

    public sealed record RssRow(string Model, string Scheme, string Precision, int ArenaBytes, long StartBytes, long CompilePeakBytes,
        long BeforeTrainingBytes, long TrainingPeakBytes, bool PeakWasReset, double Seconds);

    /// <summary>In the child: one training run, one JSON line on stdout.</summary>
    public static void Child(string model, string scheme, string precision)
    {
        var start = ProcessMemory.CurrentBytes() ?? 0;
        var clock = Stopwatch.StartNew();
        var graph = ModelLoader.Load(model);
        var data = DatasetCatalog.Open("fashion-mnist", SharedData.TryFind()).Train;
        var fp32 = precision == "fp32";
        var plan = DataPlan.Create(data, seed: 1, limit: TrainImages + 20, ValidationSplit.OfCount(20));
        var reader = new BatchReader(data, ImageInput.Of(graph.Input.Type, data.Name), seed: 1);
        var options = new TrainingOptions(data.Classes, fp32 ? HeadKind.Float : HeadKind.Int8) { FeatureRms = FeatureScale.Rms(graph, reader, plan.Train) };
        var compiled = Compilation.CompileTraining(graph, scheme, options, fp32: fp32);
        var compilePeak = ProcessMemory.PeakBytes() ?? 0;
        var reset = ProcessMemory.ResetPeak();
        var before = ProcessMemory.CurrentBytes() ?? 0;
        new Trainer(compiled.Program, new TrainerOptions { Epochs = 1, LearningRate = 0.001f }).Train(reader, plan);
        var peak = ProcessMemory.PeakBytes() ?? 0;
        Console.WriteLine(JsonSerializer.Serialize(new RssRow(graph.Name, compiled.Scheme.Name, precision, compiled.Program.Program.ArenaBytes,
            start, compilePeak, before, peak, reset, clock.Elapsed.TotalSeconds)));
    }

    /// <summary>In the parent: runs the child with this same binary.</summary>
    public static RssRow Run(string model, string scheme, string precision)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        var info = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") info.ArgumentList.Add(typeof(MemoryBench).Assembly.Location);
        foreach (var a in new[] { "rss", model, scheme, precision }) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {self}");
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"rss {model} {scheme} {precision} exited with {process.ExitCode}");
        return JsonSerializer.Deserialize<RssRow>(output.Trim().Split('\n')[^1])!;
    }

    public static string RssTable(IEnumerable<RssRow> rows) => Markdown.Table(
        ["model", "scheme", "precision", "planned arena", "RSS, runtime up", "peak RSS, load + compile", "RSS before training", "peak RSS while training", "training's own growth", "run"],
        "lllrrrrrrr",
        rows.Select(r => new[]
        {
            r.Model, r.Scheme, r.Precision, $"{r.ArenaBytes:N0} B", MB(r.StartBytes), MB(r.CompilePeakBytes), MB(r.BeforeTrainingBytes),
            MB(r.TrainingPeakBytes) + (r.PeakWasReset ? "" : " (since start)"), MB(r.TrainingPeakBytes - r.BeforeTrainingBytes),
            $"{r.Seconds.ToString("F0", CultureInfo.InvariantCulture)} s",
        }));

    public static string MB(long bytes) => $"{bytes / 1e6:F1} MB";

    public sealed record LadderRow(string Step, string Paper, string Command, int ArenaBytes);

    /// <summary>The paper's memory ladder for mbv2-w0.35 (Fig. 1 / §2.6), from the planner: each step switches one more saving on.</summary>
    public static IReadOnlyList<LadderRow> Ladder(string model = "mbv2-w0.35", string sparse = "paper:99kb")
    {
        var graph = ModelLoader.Load(model);
        int Arena(string scheme, bool fp32, MemoryOptions memory) =>
            Compilation.CompileTraining(graph, scheme, new TrainingOptions(10, fp32 ? HeadKind.Float : HeadKind.Int8), fp32: fp32, memory: memory).Program.Program.ArenaBytes;
        var plan = $"tinytrain plan {model}";
        return
        [
            new("fp32, full update", "5.7 MB", $"{plan} --precision fp32 --scheme full --no-reorder", Arena("full", true, MemoryOptions.None)),
            new("int8 (QAS), full update", "2.9 MB", $"{plan} --scheme full --no-reorder", Arena("full", false, MemoryOptions.None)),
            new("+ sparse update (backward graph pruning)", "335 KB", $"{plan} --scheme {sparse} --no-reorder", Arena(sparse, false, MemoryOptions.None)),
            new("+ operator reordering (and our other passes)", "141 KB", $"{plan} --scheme {sparse}", Arena(sparse, false, MemoryOptions.Default)),
            new("(int8 full update with our passes, for reference)", "", $"{plan} --scheme full", Arena("full", false, MemoryOptions.Default)),
        ];
    }

    public static string LadderTable(IReadOnlyList<LadderRow> rows) => Markdown.Table(
        ["step", "paper", "ours (planned arena)", "ratio to the step above", "command"], "lrrrl",
        rows.Select((r, i) => new[]
        {
            r.Step, r.Paper, $"{r.ArenaBytes:N0} B", i is > 0 and < 4 ? $"{(double)rows[i - 1].ArenaBytes / r.ArenaBytes:F1}x" : "", $"`{r.Command}`",
        }));
}
