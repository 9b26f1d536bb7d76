using TinyTrain.Compiler;
using TinyTrain.Compiler.Autodiff;
using TinyTrain.Data;
using TinyTrain.Formats;
using TinyTrain.Runtime.Benchmarking;
using TinyTrain.Runtime.Training;

namespace TinyTrain.Bench;

/// <summary>Training-step throughput on pre-encoded real images (data decoding is not timed): batch 1 on one core, and batch 32 on every core.</summary>
public static class TrainBench
{
    public static void Run(string model, IEnumerable<string> schemes, LabelledDataset dataset)
    {
        Console.WriteLine("| model | scheme | policy | threads | training arena | train images/s (median, min..max) | MACs per step |");
        Console.WriteLine("| --- | --- | --- | ---: | ---: | --- | ---: |");
        var graph = ModelLoader.Load(model);
        var images = BenchImages.From(dataset, graph.Input.Type, 32);
        var rms = FeatureScale.Rms(graph, images.Inputs);
        foreach (var scheme in schemes)
        {
            var program = Compilation.CompileTraining(graph, scheme, new TrainingOptions(dataset.Classes) { FeatureRms = rms }).Program;
            var macs = program.Program.Macs;
            var single = TrainingBenchmark.ImagesPerSecond(program, images, imagesPerRound: 16, rounds: 15);
            Console.WriteLine($"| {graph.Name} | {scheme} | device, batch 1 | 1 | {program.Program.ArenaBytes:N0} B | {single} | {macs / 1e6:F1} M |");
            var threads = Environment.ProcessorCount;
            var batch = TrainingBenchmark.ImagesPerSecond(program, images, 32, threads, imagesPerRound: 32, rounds: 15);
            Console.WriteLine($"| {graph.Name} | {scheme} | batch 32 | {threads} | {program.Program.ArenaBytes:N0} B | {batch} | {macs / 1e6:F1} M |");
        }
    }
}
