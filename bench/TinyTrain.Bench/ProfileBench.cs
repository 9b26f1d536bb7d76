using System.Diagnostics;
using TinyTrain.Compiler.Lowered;
using LoweredProgram = TinyTrain.Compiler.Lowered.Program;
using TinyTrain.Compiler.Lowering;
using TinyTrain.Formats;
using TinyTrain.Runtime;

namespace TinyTrain.Bench;

/// <summary>
/// Where the time of one host inference goes: the lowered program (host default) run many times, each call timed
/// between the executor's after-call hooks; per call the median time, its MACs and its MAC rate, sorted by time.
/// </summary>
public static class ProfileBench
{
    public static void Run(string name, int runs = 200)
    {
        var graph = ModelLoader.Load(name);
        var program = InferenceLowering.Lower(graph);
        var executor = new Executor(program);
        var input = new sbyte[program.Input.Bytes];
        new Random(1).NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(input.AsSpan()));
        Report(graph.Name, program, executor, () => input.CopyTo(executor.Input), runs);
    }

    /// <summary>The same for one training step (forward, backward and update) of a sparse-update scheme.</summary>
    public static void RunTraining(string name, string scheme, int runs = 50)
    {
        var graph = ModelLoader.Load(name);
        var compiled = TinyTrain.Compiler.Compilation.CompileTraining(graph, scheme, new TinyTrain.Compiler.Autodiff.TrainingOptions(10));
        var training = compiled.Program;
        var executor = new Executor(training.Program) { LearningRate = 0.001f };
        var image = new sbyte[training.Program.Tensors[training.Image].Bytes];
        new Random(1).NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(image.AsSpan()));
        Report($"{graph.Name} {scheme}", training.Program, executor, () => { executor.SetImage(training.Image, image); executor.SetLabel(training.Label, 3); }, runs);
    }

    private static void Report(string title, LoweredProgram program, Executor executor, Action setInput, int runs)
    {
        var calls = program.Calls;
        var ticks = new long[calls.Length][];
        for (var i = 0; i < calls.Length; i++) ticks[i] = new long[runs];

        for (var w = 0; w < 10; w++) { setInput(); executor.Run(); }
        var whole = new double[runs];
        for (var r = 0; r < runs; r++)
        {
            setInput();
            var start = Stopwatch.GetTimestamp();
            var last = start;
            executor.Run((i, _) =>
            {
                var now = Stopwatch.GetTimestamp();
                ticks[i][r] = now - last;
                last = now;
            });
            whole[r] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        double Micro(long t) => t * 1e6 / Stopwatch.Frequency;
        var rows = calls.Select((c, i) =>
        {
            var sorted = ticks[i].Order().ToArray();
            return (Call: c, Index: i, Us: Micro(sorted[runs / 2]));
        }).ToArray();
        var total = rows.Sum(r => r.Us);
        Console.WriteLine($"{title}: {calls.Length} calls, sum of per-call medians {total:F0} us, median run {whole.Order().ElementAt(runs / 2):F0} us, {program.Macs / 1e6:F1} MMACs");
        Console.WriteLine("| # | call | kind | shape | MMACs | us | % | GMAC/s |");
        Console.WriteLine("| ---: | --- | --- | --- | ---: | ---: | ---: | ---: |");
        foreach (var row in rows.OrderByDescending(r => r.Us))
        {
            var macs = row.Call.Macs;
            Console.WriteLine($"| {row.Index} | {row.Call.Name} | {Kind(row.Call)} | {Shape(row.Call)} | {macs / 1e6:F2} | {row.Us:F1} | {row.Us / total:P1} | {(macs > 0 ? macs / row.Us / 1e3 : 0):F1} |");
        }
        foreach (var group in rows.GroupBy(r => Kind(r.Call)).OrderByDescending(g => g.Sum(r => r.Us)))
            Console.WriteLine($"{group.Key}: {group.Count()} calls, {group.Sum(r => r.Us):F0} us ({group.Sum(r => r.Us) / total:P1}), {group.Sum(r => r.Call.Macs) / 1e6:F2} MMACs, {group.Sum(r => r.Call.Macs) / group.Sum(r => r.Us) / 1e3:F1} GMAC/s");
    }

    private static string Kind(KernelCall call) => call switch
    {
        Conv2DCall c when c.Params.KernelH * c.Params.KernelW == 1 => "conv1x1",
        Conv2DCall c => $"conv{c.Params.KernelH}x{c.Params.KernelW}",
        DepthwiseConv2DCall c => $"dw{c.Params.KernelH}x{c.Params.KernelW}s{c.Params.StrideH}",
        ConvDepthwiseCall c => $"fused{c.Conv.KernelH}x{c.Conv.KernelW}+dw{c.Depthwise.KernelH}x{c.Depthwise.KernelW}s{c.Depthwise.StrideH}",
        _ => call.GetType().Name.Replace("Call", ""),
    };

    private static string Shape(KernelCall call) => call switch
    {
        Conv2DCall { Params: var p } => $"{p.InputH}x{p.InputW}x{p.InputC} -> {p.OutputH}x{p.OutputW}x{p.OutputC} s{p.StrideH} {p.Requant.Mode}",
        DepthwiseConv2DCall { Params: var p } => $"{p.InputH}x{p.InputW}x{p.InputC} -> {p.OutputH}x{p.OutputW}x{p.OutputC} {p.Requant.Mode}",
        FullyConnectedCall { Params: var p } => $"{p.InputDepth} -> {p.OutputDepth}",
        ConvDepthwiseCall { Conv: var p, Depthwise: var d } => $"{p.InputH}x{p.InputW}x{p.InputC} -> {p.OutputH}x{p.OutputW}x{p.OutputC} -> {d.OutputH}x{d.OutputW}x{d.OutputC}",
        _ => "",
    };
}
