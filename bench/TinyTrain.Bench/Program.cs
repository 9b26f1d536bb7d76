using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TinyTrain.Bench;
using TinyTrain.Compiler.Lowering;
using TinyTrain.Data;
using TinyTrain.Formats;
using TinyTrain.Runtime;
using TinyTrain.Runtime.Benchmarking;

// `dotnet run -c Release --project bench/TinyTrain.Bench -- all --write docs/BENCHMARKS.md`: every figure of issue 8, written
// between the bench markers of the file (atomically; the rest of the file is left alone). The parts alone:
// `-- peak` (the machine's int8/fp32 MAC peak), `-- ort [MODEL...]` (against ONNX Runtime), `-- train MODEL SCHEME...`
// (training-step throughput), `-- profile [train] MODEL...` (time per kernel call), `-- [MODEL...]` (inference, reference vs SIMD kernels). Rates are medians of timed rounds after warm-up.
LabelledDataset FashionMnist() => DatasetCatalog.Open("fashion-mnist", SharedData.TryFind()).Train;

switch (args.Length > 0 ? args[0] : "")
{
    case "all":
    {
        var write = Option("--write");
        var rounds = int.Parse(Option("--rounds") ?? "21", System.Globalization.CultureInfo.InvariantCulture);
        var section = AllBench.Run(rounds, line => Console.Error.WriteLine($"bench: {line}"));
        if (write is null)
        {
            Console.Write(section);
            return 0;
        }
        var document = File.Exists(write) ? File.ReadAllText(write) : "# Benchmarks\n";
        AtomicFile.WriteAllText(write, Markdown.Splice(document, section));
        Console.Error.WriteLine($"bench: wrote the generated section of {write}");
        return 0;
    }
    case "rss":
        MemoryBench.Child(args[1], args[2], args[3]);
        return 0;
    case "peak":
        PeakBench.Run();
        return 0;
    case "ort":
        OrtBench.Run(args.Length > 1 ? args[1..] : ["mcunet-5fps", Path.Combine(SharedData.TryFind() ?? "", "mlperf-tiny", "vww_96_int8.tflite")], FashionMnist());
        return 0;
    case "profile":
        // `-- profile [MODEL...]`: time per kernel call of the host inference program; `-- profile train MODEL SCHEME`: of one training step.
        if (args.Length > 1 && args[1] == "train")
        {
            ProfileBench.RunTraining(args.Length > 2 ? args[2] : "mcunet-5fps", args.Length > 3 ? args[3] : "paper:99kb");
            return 0;
        }
        foreach (var model in args.Length > 1 ? args[1..] : ["mcunet-5fps", Path.Combine(SharedData.TryFind() ?? "", "mlperf-tiny", "vww_96_int8.tflite")])
            ProfileBench.Run(model);
        return 0;
    case "train":
        TrainBench.Run(args.Length > 1 ? args[1] : "mcunet-5fps", args.Length > 2 ? args[2..] : ["paper:99kb", "last:6", "head-only"], FashionMnist());
        return 0;
}

var models = args.Length > 0 ? args : ["mcunet-5fps"];
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {RuntimeInformation.ProcessArchitecture}, .NET {Environment.Version}, " +
    $"Vector512 {(Vector512.IsHardwareAccelerated ? "on" : "off")}, Vector256 {(Vector256.IsHardwareAccelerated ? "on" : "off")}");
Console.WriteLine();
Console.WriteLine("| model | input | MMACs | kernels | threads | images/s (median, min..max) | GMAC/s |");
Console.WriteLine("| --- | --- | ---: | --- | ---: | --- | ---: |");
foreach (var name in models)
{
    var graph = ModelLoader.Load(name);
    var program = InferenceLowering.Lower(graph);
    var macs = program.Macs;
    var input = new sbyte[program.Input.Bytes];
    new Random(1).NextBytes(MemoryMarshal.AsBytes(input.AsSpan()));
    var output = new sbyte[program.Output.Bytes];
    var shape = string.Join("x", graph.Input.Shape.Dims.Skip(1));

    void Row(string kernels, int threads, Rate rate) =>
        Console.WriteLine($"| {graph.Name} | {shape} | {macs / 1e6:F1} | {kernels} | {threads} | {rate} | {rate.Median * macs / 1e9:F2} |");

    var reference = new Executor(program, KernelVariant.Reference);
    Row("reference", 1, Measure.PerSecond(() => reference.Run(input, output), 1, warmup: 1, rounds: 5));
    var simd = new Executor(program);
    Row("SIMD", 1, Measure.PerSecond(() => { for (var i = 0; i < 20; i++) simd.Run(input, output); }, 20));
    var batch = Enumerable.Range(0, 64).Select(_ => input).ToList();
    Row("SIMD", Environment.ProcessorCount, Measure.PerSecond(() => BatchRunner.Run(program, batch), batch.Count));
}
return 0;

string? Option(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
