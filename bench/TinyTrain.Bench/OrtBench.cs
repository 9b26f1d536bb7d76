using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using TinyTrain.Compiler.Lowering;
using TinyTrain.Formats;
using TinyTrain.Formats.Onnx;
using TinyTrain.Runtime;

namespace TinyTrain.Bench;

/// <summary>
/// Our int8 engine against ONNX Runtime on the same model (exported by <see cref="OnnxExporter"/>), one core each,
/// on the same images. Rounds alternate (ours, ORT, ours, ORT...) so both see the same machine load; the ratio is
/// the median of the per-round ratios. Efficiency is MACs x images/s over the measured int8 peak of one core.
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
                          $"{Images} images per round, {rounds} alternating rounds after warm-up");
        Console.WriteLine();
        Console.WriteLine("| model | input | MMACs | engine | images/s (median, min..max) | GMAC/s | of int8 peak | ours / ORT (median, IQR) | max \\|ours - ORT\\| |");
        Console.WriteLine("| --- | --- | ---: | --- | --- | ---: | ---: | --- | --- |");
        foreach (var name in models) One(name, rounds, peak.MacsPerSecond.Median);
    }

    private static void One(string name, int rounds, double peak)
    {
        var graph = ModelLoader.Load(name);
        var program = InferenceLowering.Lower(graph);
        var macs = program.Macs;
        var random = new Random(1);
        var images = Enumerable.Range(0, Images).Select(_ =>
        {
            var bytes = new byte[program.Input.Bytes];
            random.NextBytes(bytes);
            return bytes.Select(b => (sbyte)b).ToArray();
        }).ToArray();

        // Ours: the SIMD kernels, one executor, one core.
        var executor = new Executor(program);
        var ours = images.Select(_ => new sbyte[program.Output.Bytes]).ToArray();
        void RunOurs() { for (var i = 0; i < Images; i++) executor.Run(images[i], ours[i]); }

        // ORT: tensors bound once to pinned buffers, so a round times session.Run only.
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        options.ExecutionMode = ExecutionMode.ORT_SEQUENTIAL;
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

        for (var w = 0; w < 3; w++) { RunOurs(); RunOrt(); }
        var maxDiff = 0;
        var differing = 0;
        for (var i = 0; i < Images; i++)
        {
            var diff = ours[i].Zip(theirs[i], (a, b) => Math.Abs(a - b)).Max();
            maxDiff = Math.Max(maxDiff, diff);
            differing += ours[i].Zip(theirs[i]).Count(p => p.First != p.Second);
        }

        var oursRates = new double[rounds];
        var ortRates = new double[rounds];
        var ratios = new double[rounds];
        for (var r = 0; r < rounds; r++)
        {
            // Alternate which engine goes first so neither always follows the other's cache state.
            if (r % 2 == 0) { oursRates[r] = Time(RunOurs); ortRates[r] = Time(RunOrt); }
            else { ortRates[r] = Time(RunOrt); oursRates[r] = Time(RunOurs); }
            ratios[r] = oursRates[r] / ortRates[r];
        }
        foreach (var v in inputs.Concat(outputs)) v.Dispose();

        var shape = string.Join("x", graph.Input.Shape.Dims.Skip(1));
        Array.Sort(ratios);
        var ratio = $"{ratios[rounds / 2]:F2}x ({ratios[rounds / 4]:F2}..{ratios[3 * rounds / 4]:F2})";
        var agreement = $"{maxDiff} LSB ({differing} of {Images * program.Output.Bytes} outputs differ)";
        Row("ours (int8 SIMD)", oursRates, ratio, agreement);
        Row("ONNX Runtime", ortRates, "", "");

        void Row(string engine, double[] rates, string ratioCell, string agreeCell)
        {
            Array.Sort(rates);
            var median = rates[rounds / 2];
            Console.WriteLine($"| {graph.Name} | {shape} | {macs / 1e6:F1} | {engine} | {median:F1} ({rates[0]:F1}..{rates[^1]:F1}) | " +
                              $"{median * macs / 1e9:F2} | {median * macs / peak:P1} | {ratioCell} | {agreeCell} |");
        }
    }

    private static double Time(Action round)
    {
        var watch = Stopwatch.StartNew();
        round();
        return Images / watch.Elapsed.TotalSeconds;
    }
}
