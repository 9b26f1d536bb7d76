using System.Runtime.InteropServices;
using TinyTrain.Compiler;
using TinyTrain.Compiler.Autodiff;
using TinyTrain.Formats;
using TinyTrain.Runtime;

namespace TinyTrain.Bench;

/// <summary>Training-step throughput on fixed, pre-encoded inputs (data decoding is not timed).</summary>
public static class TrainBench
{
    public static void Run(string model, IEnumerable<string> schemes)
    {
        Console.WriteLine("| model | scheme | policy | threads | training arena | train images/s (median, min..max) | forward MACs |");
        Console.WriteLine("| --- | --- | --- | ---: | ---: | --- | ---: |");
        var graph = ModelLoader.Load(model);
        foreach (var scheme in schemes)
        {
            var compiled = Compilation.CompileTraining(graph, scheme, new TrainingOptions(10));
            var program = compiled.Program;
            var images = Enumerable.Range(0, 32).Select(i =>
            {
                var x = new sbyte[program.Program.Tensors[program.Image].Bytes];
                new Random(i).NextBytes(MemoryMarshal.AsBytes(x.AsSpan()));
                return x;
            }).ToArray();
            var forwardMacs = compiled.Graph.Graph.Operations.Sum(Ir.OpCost.Macs);
            var executor = new Executor(program.Program) { LearningRate = 0.001f };
            void Step(Executor e, int i)
            {
                e.SetImage(program.Image, images[i % images.Length]);
                e.SetLabel(program.Label, i % 10);
                e.Run();
            }
            var single = Measure.PerSecond(() => { for (var i = 0; i < 16; i++) Step(executor, i); }, 16);
            Console.WriteLine($"| {graph.Name} | {scheme} | device, batch 1 | 1 | {program.Program.ArenaBytes:N0} B | {single.Median:F1} ({single.Min:F1}..{single.Max:F1}) | {forwardMacs / 1e6:F1} M |");
            var workers = Enumerable.Range(0, Environment.ProcessorCount).Select(_ => new Executor(program.Program) { LearningRate = 0.001f, DeferUpdates = true }).ToArray();
            var batch = Measure.PerSecond(() =>
            {
                Parallel.For(0, workers.Length, w => { for (var i = w; i < 32; i += workers.Length) Step(workers[w], i); });
                Executor.ApplyDeferredUpdates(workers, 1f / 32);
            }, 32);
            Console.WriteLine($"| {graph.Name} | {scheme} | batch 32 | {workers.Length} | {program.Program.ArenaBytes:N0} B | {batch.Median:F1} ({batch.Min:F1}..{batch.Max:F1}) | {forwardMacs / 1e6:F1} M |");
        }
    }
}
