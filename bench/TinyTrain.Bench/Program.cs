using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TinyTrain.Bench;
using TinyTrain.Compiler.Lowering;
using TinyTrain.Formats;
using TinyTrain.Runtime;

// Inference throughput of the int8 engine: `dotnet run -c Release --project bench/TinyTrain.Bench -- [MODEL...]`;
// training-step throughput: `... -- train MODEL SCHEME...`; against ONNX Runtime: `... -- ort [MODEL...]`;
// the machine's int8/fp32 MAC peak: `... -- peak`;
// time per kernel call of host inference: `... -- profile [MODEL...]`.
// Prints Markdown rows for docs/BENCHMARKS.md. Rates are medians of timed rounds after warm-up; compare as ratios.
if (args.Length > 0 && args[0] == "peak")
{
    // `-- peak`: the int8 and fp32 multiply-accumulate rate of one core (the machine's limit, issue 8).
    PeakBench.Run();
    return;
}
if (args.Length > 0 && args[0] == "ort")
{
    // `-- ort [MODEL...]`: our engine against ONNX Runtime, one core each, with efficiency against the int8 peak.
    OrtBench.Run(args.Length > 1 ? args[1..] : ["mcunet-5fps", "/work/shared/data/mlperf-tiny/vww_96_int8.tflite"]);
    return;
}
if (args.Length > 0 && args[0] == "profile")
{
    // `-- profile [MODEL...]`: time per kernel call of the host inference program.
    // `-- profile train MODEL SCHEME`: the same for one training step.
    if (args.Length > 1 && args[1] == "train") { ProfileBench.RunTraining(args.Length > 2 ? args[2] : "mcunet-5fps", args.Length > 3 ? args[3] : "paper:99kb"); return; }
    foreach (var model in args.Length > 1 ? args[1..] : ["mcunet-5fps", "/work/shared/data/mlperf-tiny/vww_96_int8.tflite"]) ProfileBench.Run(model);
    return;
}
if (args.Length > 0 && args[0] == "train")
{
    // `-- train MODEL SCHEME...`: training-step throughput.
    TrainBench.Run(args.Length > 1 ? args[1] : "mcunet-5fps", args.Length > 2 ? args[2..] : ["paper:99kb", "last:6", "head-only"]);
    return;
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

    void Row(string kernels, int threads, Measure.Rate rate) =>
        Console.WriteLine($"| {graph.Name} | {shape} | {macs / 1e6:F1} | {kernels} | {threads} | {rate.Median:F1} ({rate.Min:F1}..{rate.Max:F1}) | {rate.Median * macs / 1e9:F2} |");

    var reference = new Executor(program, KernelVariant.Reference);
    Row("reference", 1, Measure.PerSecond(() => reference.Run(input, output), 1, warmup: 1, rounds: 5));
    var simd = new Executor(program);
    Row("SIMD", 1, Measure.PerSecond(() => { for (var i = 0; i < 20; i++) simd.Run(input, output); }, 20));
    var batch = Enumerable.Range(0, 64).Select(_ => input).ToList();
    Row("SIMD", Environment.ProcessorCount, Measure.PerSecond(() => BatchRunner.Run(program, batch), batch.Count));
}
