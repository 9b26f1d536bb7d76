using TinyTrain.Runtime.Training;
using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using TinyTrain.Compiler.Lowering;
using TinyTrain.Data;
using TinyTrain.Formats;
using TinyTrain.Formats.Onnx;
using TinyTrain.Runtime;
using TinyTrain.Runtime.Benchmarking;

namespace TinyTrain.Bench;

/// <summary>
/// Our int8 engine against ONNX Runtime on the same model (exported by <see cref="OnnxExporter"/>), one core each,
/// on the same images. Every round times each engine once, so all see the same machine load; the ratio is
/// the median of the per-round ratios (rounds rotate the order of the engines). Efficiency is MACs x images/s over the measured int8 peak of one core.
/// </summary>
public static class OrtBench
{
    public const int Images = 8;

    /// <param name="Ratio">Of the per-round ratios to ORT: median and interquartile range (null for ORT itself).</param>
    /// <param name="Agreement">Max |ours - ORT| over every output of the images (empty for ORT itself).</param>
    public sealed record Row(string Model, string Input, long Macs, string Engine, Rate ImagesPerSecond, (double Median, double Low, double High)? Ratio,
        string Agreement, int MaxDifference);

    public static string Version => OrtEnv.Instance().GetVersionString();

    public static string Settings(int rounds) =>
        $"ONNX Runtime {Version}, CPU provider, `IntraOpNumThreads = 1`, sequential execution, `ORT_ENABLE_ALL`, tensors bound once to pinned " +
        $"buffers (a round times `session.Run` only); {Images} images per round, {rounds} rounds after 3 warm-up rounds, each round timing every engine once (order rotating)";

    public static void Run(IReadOnlyList<string> models, LabelledDataset? dataset, int rounds = 21)
    {
        var peak = MacPeak.Int8();
        Console.WriteLine($"int8 peak, one core: {peak.MacsPerSecond.Median / 1e9:F1} GMAC/s ({peak.Instruction}; " +
                          $"min..max {peak.MacsPerSecond.Min / 1e9:F1}..{peak.MacsPerSecond.Max / 1e9:F1})");
        Console.WriteLine(Settings(rounds));
        Console.WriteLine();
        Console.Write(Table(models.SelectMany(m => Measure(m, dataset, rounds)), peak.MacsPerSecond.Median));
    }

    public static string Table(IEnumerable<Row> rows, double peak) => Markdown.Table(
        ["model", "input", "MMACs", "engine", "images/s (median, min..max)", "GMAC/s", "of int8 peak", "/ ORT (median, IQR of per-round ratios)", "max |ours - ORT|"],
        "llrllrrll",
        rows.Select(r => new[]
        {
            r.Model, r.Input, $"{r.Macs / 1e6:F1}", r.Engine, r.ImagesPerSecond.ToString(), $"{r.ImagesPerSecond.Median * r.Macs / 1e9:F2}",
            Markdown.Percent(r.ImagesPerSecond.Median * r.Macs / peak),
            r.Ratio is { } q ? $"{q.Median:F2} ({q.Low:F2}..{q.High:F2})" : "1", r.Agreement,
        }));

    /// <summary>Three rows: ours with the device plan (fused), ours with the host default (unfused), ORT.</summary>
    public static IReadOnlyList<Row> Measure(string name, LabelledDataset? dataset, int rounds = 21)
    {
        var graph = ModelLoader.Load(name);
        var program = InferenceLowering.Lower(graph, InferenceLowering.Device);
        var macs = program.Macs;
        var images = dataset is null ? RandomImages(program.Input.Bytes) : BenchImages.From(dataset, graph.Input.Type, Images).Inputs;

        // Ours: the SIMD kernels, one executor, one core; the device plan (conv + depthwise fused, the smallest arena)
        // and the host default (every activation whole), to see what the fusion costs in time.
        var unfused = InferenceLowering.Lower(graph);
        var executor = new Executor(program);
        var plain = new Executor(unfused);
        var ours = images.Select(_ => new sbyte[program.Output.Bytes]).ToArray();
        var oursPlain = images.Select(_ => new sbyte[program.Output.Bytes]).ToArray();
        void RunOurs() { for (var i = 0; i < Images; i++) executor.Run(images[i], ours[i]); }
        void RunPlain() { for (var i = 0; i < Images; i++) plain.Run(images[i], oursPlain[i]); }

        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = 1, InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING,
        };
        using var session = new InferenceSession(OnnxExporter.Write(graph), options);
        var inputName = session.InputMetadata.Keys.Single();
        var outputName = session.OutputMetadata.Keys.Single();
        var inputShape = graph.Input.Shape.Dims.Select(d => (long)d).ToArray();
        var outputShape = session.OutputMetadata[outputName].Dimensions.Select(d => (long)d).ToArray();
        if (outputShape.Any(d => d <= 0) || outputShape.Aggregate(1L, (a, b) => a * b) != program.Output.Bytes)
            throw new InvalidOperationException($"{name}: ORT output shape [{string.Join(",", outputShape)}] does not hold {program.Output.Bytes} values");
        var theirs = images.Select(_ => new sbyte[program.Output.Bytes]).ToArray();
        var inputs = images.Select(x => OrtValue.CreateTensorValueFromMemory(x, inputShape)).ToArray();
        var outputs = theirs.Select(y => OrtValue.CreateTensorValueFromMemory(y, outputShape)).ToArray();
        using var runOptions = new RunOptions();
        string[] inputNames = [inputName], outputNames = [outputName];
        void RunOrt() { for (var i = 0; i < Images; i++) session.Run(runOptions, inputNames, [inputs[i]], outputNames, [outputs[i]]); }

        (string Name, Action Round)[] engines = [("ours, fused (device plan)", RunOurs), ("ours (host default, unfused)", RunPlain), ("ONNX Runtime", RunOrt)];
        for (var w = 0; w < 3; w++) foreach (var e in engines) e.Round();
        var (maxDiff, differing) = Agreement(ours, theirs);
        var (maxPlain, differingPlain) = Agreement(oursPlain, theirs);

        // Rounds rotate which engine goes first, so each sees the same load and none always follows another.
        var rates = engines.Select(_ => new double[rounds]).ToArray();
        for (var r = 0; r < rounds; r++)
            for (var k = 0; k < engines.Length; k++)
            {
                var e = (r + k) % engines.Length;
                rates[e][r] = Time(engines[e].Round);
            }
        foreach (var v in inputs.Concat(outputs)) v.Dispose();

        var shape = string.Join("x", graph.Input.Shape.Dims.Skip(1));
        var total = Images * program.Output.Bytes;
        return
        [
            new(graph.Name, shape, macs, engines[0].Name, Rate.Of(rates[0]), Ratio(rates[0], rates[2]), $"{maxDiff} LSB ({differing} of {total} outputs differ)", maxDiff),
            new(graph.Name, shape, macs, engines[1].Name, Rate.Of(rates[1]), Ratio(rates[1], rates[2]), $"{maxPlain} LSB ({differingPlain} of {total} outputs differ)", maxPlain),
            new(graph.Name, shape, macs, engines[2].Name, Rate.Of(rates[2]), null, "", 0),
        ];
    }

    private static (double, double, double) Ratio(double[] a, double[] b)
    {
        var ratios = a.Zip(b, (x, y) => x / y).Order().ToArray();
        return (ratios[ratios.Length / 2], ratios[ratios.Length / 4], ratios[3 * ratios.Length / 4]);
    }

    private static sbyte[][] RandomImages(int bytes)
    {
        var random = new Random(1);
        return [.. Enumerable.Range(0, Images).Select(_ =>
        {
            var b = new byte[bytes];
            random.NextBytes(b);
            return b.Select(x => (sbyte)x).ToArray();
        })];
    }

    private static (int MaxDiff, int Differing) Agreement(sbyte[][] ours, sbyte[][] theirs)
    {
        var (maxDiff, differing) = (0, 0);
        for (var i = 0; i < ours.Length; i++)
        {
            maxDiff = Math.Max(maxDiff, ours[i].Zip(theirs[i], (a, b) => Math.Abs(a - b)).Max());
            differing += ours[i].Zip(theirs[i]).Count(p => p.First != p.Second);
        }
        return (maxDiff, differing);
    }

    private static double Time(Action round)
    {
        var start = Stopwatch.GetTimestamp();
        round();
        return Images / Stopwatch.GetElapsedTime(start).TotalSeconds;
    }
}
