using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using TinyTrain.Compiler.Lowering;
using TinyTrain.Compiler.Schedule;
using TinyTrain.Formats;
using TinyTrain.Formats.Onnx;
using TinyTrain.Runtime;

namespace TinyTrain.Bench;

/// <summary>
/// Our int8 engine against ONNX Runtime on the same model (exported by <see cref="OnnxExporter"/>), one core each,
/// on the same images. Every round times each engine once, so all see the same machine load; the ratio is
/// the median of the per-round ratios (rounds rotate the order of the engines). Efficiency is MACs x images/s over the measured int8 peak of one core.
/// </summary>
public static class OrtBench
{
    private const int Images = 8;

    public static void Run(IReadOnlyList<string> models, int rounds = 21)
    {
        var peak = PeakBench.Int8();
        Console.WriteLine($"int8 peak, one core: {peak.MacsPerSecond.Median / 1e9:F1} GMAC/s ({peak.Instruction}; " +
                          $"min..max {peak.MacsPerSecond.Min / 1e9:F1}..{peak.MacsPerSecond.Max / 1e9:F1})");
        Console.WriteLine($"ONNX Runtime {OrtEnv.Instance().GetVersionString()}, CPU provider, IntraOpNumThreads 1, ORT_ENABLE_ALL; " +
                          $"{Images} images per round, {rounds} rounds after warm-up, each timing every engine (order rotating)");
        Console.WriteLine();
        Console.WriteLine("| model | input | MMACs | engine | images/s (median, min..max) | GMAC/s | of int8 peak | / ORT (median, IQR of per-round ratios) | max \\|ours - ORT\\| |");
        Console.WriteLine("| --- | --- | ---: | --- | --- | ---: | ---: | --- | --- |");
        foreach (var name in models) One(name, rounds, peak.MacsPerSecond.Median);
    }

    private static void One(string name, int rounds, double peak)
    {
        var graph = ModelLoader.Load(name);
        var program = InferenceLowering.Lower(graph, InferenceLowering.Device);
        var macs = program.Macs;
        var random = new Random(1);
        var images = Enumerable.Range(0, Images).Select(_ =>
        {
            var bytes = new byte[program.Input.Bytes];
            random.NextBytes(bytes);
            return bytes.Select(b => (sbyte)b).ToArray();
        }).ToArray();

        // Ours: the SIMD kernels, one executor, one core; the device plan (conv + depthwise fused, the smallest arena)
        // and without the memory passes (every activation whole), to see what the fusion costs in time.
        var unfused = InferenceLowering.Lower(graph); // the host default
        var executor = new Executor(program);
        var plain = new Executor(unfused);
        var ours = images.Select(_ => new sbyte[program.Output.Bytes]).ToArray();
        var oursPlain = images.Select(_ => new sbyte[program.Output.Bytes]).ToArray();
        void RunOurs() { for (var i = 0; i < Images; i++) executor.Run(images[i], ours[i]); }
        void RunPlain() { for (var i = 0; i < Images; i++) plain.Run(images[i], oursPlain[i]); }

        // ORT: tensors bound once to pinned buffers, so a round times session.Run only.
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = 1, InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
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
        var outputsTotal = Images * program.Output.Bytes;
        Row(engines[0].Name, rates[0], RatioCell(rates[0], rates[2]), $"{maxDiff} LSB ({differing} of {outputsTotal} outputs differ)");
        Row(engines[1].Name, rates[1], RatioCell(rates[1], rates[2]), $"{maxPlain} LSB ({differingPlain} of {outputsTotal} outputs differ)");
        Row(engines[2].Name, rates[2], "1", "");

        void Row(string engine, double[] perRound, string ratioCell, string agreeCell)
        {
            var sorted = perRound.Order().ToArray();
            var median = sorted[rounds / 2];
            Console.WriteLine($"| {graph.Name} | {shape} | {macs / 1e6:F1} | {engine} | {median:F1} ({sorted[0]:F1}..{sorted[^1]:F1}) | " +
                              $"{median * macs / 1e9:F2} | {median * macs / peak:P1} | {ratioCell} | {agreeCell} |");
        }

        string RatioCell(double[] a, double[] b)
        {
            var ratios = a.Zip(b, (x, y) => x / y).Order().ToArray();
            return $"{ratios[rounds / 2]:F2} ({ratios[rounds / 4]:F2}..{ratios[3 * rounds / 4]:F2})";
        }
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
        var watch = Stopwatch.StartNew();
        round();
        return Images / watch.Elapsed.TotalSeconds;
    }
}
