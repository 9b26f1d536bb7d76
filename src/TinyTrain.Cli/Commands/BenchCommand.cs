using System.CommandLine;
using Spectre.Console;
using TinyTrain.Compiler;
using TinyTrain.Compiler.Autodiff;
using TinyTrain.Compiler.Lowering;
using TinyTrain.Data;
using TinyTrain.Formats;
using TinyTrain.Runtime;
using TinyTrain.Runtime.Benchmarking;
using TinyTrain.Runtime.Training;

namespace TinyTrain.Cli.Commands;

/// <summary>
/// `tinytrain bench MODEL --scheme S`: the speed and memory figures of one model on this machine. Inference and
/// training-step images/s (int8 and fp32, on real images), MACs per step from the lowered program, the planned arena
/// next to the process's peak resident memory while training, and where a step's time goes, kernel by kernel, against
/// the measured int8/fp32 MAC peak of one core. ONNX Runtime is compared by the bench project, so the tool does not ship it.
/// </summary>
public static class BenchCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var source = new ModelSource();
        var json = CommonOptions.Json();
        var scheme = CommonOptions.Scheme("last:6");
        var batch = CommonOptions.Batch();
        var threads = new Option<int?>("--threads") { Description = "Cores for a batch and for inference (default: 1 at batch 1, else every core)" };
        var rounds = new Option<int>("--rounds") { DefaultValueFactory = _ => 7, Description = "Timed rounds per figure (medians with min..max)" };
        var images = new Option<int>("--images") { DefaultValueFactory = _ => 8, Description = "Images per timed round" };
        var data = CommonOptions.Data("fashion-mnist");
        var command = new Command("bench", "Measure inference and training speed, MACs, memory and per-kernel efficiency of a model on this machine")
        {
            source, scheme, batch, threads, rounds, images, data, json,
        };
        command.SetAction(parse =>
        {
            var settings = new Settings(parse.GetValue(batch), parse.GetValue(threads) ?? (parse.GetValue(batch) == 1 ? 1 : Environment.ProcessorCount),
                parse.GetValue(rounds), parse.GetValue(images));
            if (settings.Batch < 1 || settings.Threads < 1 || settings.Rounds < 1 || settings.ImagesPerRound < 1)
                throw new UsageException("--batch, --threads, --rounds and --images must be at least 1");
            var graph = source.Load(parse);
            var dataset = DatasetCatalog.Open(parse.GetValue(data)!, SharedData.TryFind()).Train;
            var report = Run(graph, parse.GetValue(scheme)!, dataset, settings, line => stderr.WriteLine($"tinytrain bench: {line}"));
            if (parse.GetValue(json)) Json.Write(stdout, report);
            else Print(InspectCommand.Console(stdout), report);
            return 0;
        });
        return command;
    }

    public sealed record Settings(int Batch, int Threads, int Rounds, int ImagesPerRound);

    /// <param name="OfPeak">Of the limit of its arithmetic (int8 or fp32 MAC peak of one core).</param>
    public sealed record KernelRow(string Kind, string Arithmetic, int Calls, long MacsPerStep, double SecondsPerStep, double TimeShare,
        double MacsPerSecond, double OfPeak);

    /// <param name="OfLimit">The step's MACs at the peaks of their arithmetic, over the measured time (per thread).</param>
    public sealed record TrainingFigures(string Precision, Rate ImagesPerSecond, long MacsPerStep, int ArenaBytes, double MacsPerSecond,
        double OfLimit, KernelRow[] Kernels);

    /// <param name="PeakRssBytes">The process's peak resident memory while the int8 step was timed and profiled (VmHWM).</param>
    /// <param name="PeakRssSinceReset">True when the peak was reset just before training (else it counts from the process's start).</param>
    public sealed record Report(string Model, string Scheme, string Images, int Batch, int Threads,
        double InferImagesPerSecond, double TrainImagesPerSecond, double? TrainFp32ImagesPerSecond, long MacsPerTrainStep, double PeakMacsPerSecond,
        double PeakFloatMacsPerSecond, string PeakInstruction, string PeakFloatInstruction, long MacsPerInference, Rate Inference,
        TrainingFigures Int8, TrainingFigures? Fp32, string? Fp32Unavailable, int ArenaBytes, long? RssBeforeTrainingBytes, long? PeakRssBytes,
        bool PeakRssSinceReset, string OnnxRuntime);

    public static Report Run(Ir.Graph graph, string scheme, LabelledDataset dataset, Settings settings, Action<string> progress)
    {
        progress("the int8 and fp32 MAC peaks of one core");
        var int8Peak = MacPeak.Int8(iterations: 4_000_000, rounds: settings.Rounds);
        var floatPeak = MacPeak.Float32(iterations: 4_000_000, rounds: settings.Rounds);

        var images = BenchImages.From(dataset, graph.Input.Type, 64);
        progress($"inference ({images.Source})");
        var inference = InferenceLowering.Lower(graph);
        var executor = new Executor(inference);
        var output = new sbyte[inference.Output.Bytes];
        var n = settings.ImagesPerRound;
        var next = 0;
        var inferRate = settings.Threads == 1
            ? Measure.PerSecond(() => { for (var i = 0; i < n; i++) executor.Run(images.Inputs[next++ % images.Inputs.Length], output); }, n, 2, settings.Rounds)
            : Measure.PerSecond(() => BatchRunner.Run(inference, images.Inputs, settings.Threads), images.Inputs.Length, 2, settings.Rounds);

        // The steps train on these images: the head is built for their features' rms, as train builds it for its own.
        var options = new TrainingOptions(dataset.Classes) { FeatureRms = FeatureScale.Rms(graph, images.Inputs) };
        progress($"int8 training step, scheme {scheme}");
        var int8 = Compilation.CompileTraining(graph, scheme, options);
        var reset = ProcessMemory.ResetPeak();
        var rssBefore = ProcessMemory.CurrentBytes();
        var int8Measured = Training(int8.Program, images, settings);
        var peakRss = ProcessMemory.PeakBytes();

        progress($"fp32 training step, scheme {scheme}");
        (TrainingProgram Program, Rate Rate, double[] Seconds)? fp32Measured = null;
        string? fp32Unavailable = null;
        try
        {
            var fp32 = Compilation.CompileTraining(graph, scheme, options with { Head = HeadKind.Float }, fp32: true);
            fp32Measured = Training(fp32.Program, images, settings);
        }
        catch (CompilationException e)
        {
            fp32Unavailable = e.Message; // the fp32 mode lacks some ops (a softmax inside the graph); the int8 figures stand
            progress($"no fp32 figures: {e.Message}");
        }

        // Other work on a shared core only lowers a peak measurement: measured again at the end, the higher median is the limit.
        progress("the peaks again");
        int8Peak = Higher(int8Peak, MacPeak.Int8(iterations: 4_000_000, rounds: settings.Rounds));
        floatPeak = Higher(floatPeak, MacPeak.Float32(iterations: 4_000_000, rounds: settings.Rounds));
        var limits = new Limits(int8Peak.MacsPerSecond.Median, floatPeak.MacsPerSecond.Median);
        var int8Figures = Figures("int8", int8Measured, settings, limits);
        var fp32Figures = fp32Measured is { } f ? Figures("fp32", f, settings, limits) : null;

        return new Report(graph.Name, int8.Scheme.Name, images.Source, settings.Batch, settings.Threads,
            inferRate.Median, int8Figures.ImagesPerSecond.Median, fp32Figures?.ImagesPerSecond.Median, int8Figures.MacsPerStep, limits.Int8MacsPerSecond,
            limits.Float32MacsPerSecond, int8Peak.Instruction, floatPeak.Instruction, inference.Macs, inferRate, int8Figures, fp32Figures, fp32Unavailable,
            int8.Program.Program.ArenaBytes, rssBefore, peakRss, reset,
            "not in the tool: `dotnet run -c Release --project bench/TinyTrain.Bench -- ort MODEL` compares with ONNX Runtime");
    }

    private static MacPeak.Peak Higher(MacPeak.Peak a, MacPeak.Peak b) => a.MacsPerSecond.Median >= b.MacsPerSecond.Median ? a : b;

    private static (TrainingProgram Program, Rate Rate, double[] Seconds) Training(TrainingProgram program, BenchImages images, Settings settings) =>
        (program, TrainingBenchmark.ImagesPerSecond(program, images, settings.Batch, settings.Threads, settings.ImagesPerRound, rounds: settings.Rounds),
            TrainingBenchmark.SecondsPerCall(program, images, steps: Math.Max(3, settings.Rounds)));

    private static TrainingFigures Figures(string precision, (TrainingProgram Program, Rate Rate, double[] Seconds) measured, Settings settings, Limits limits)
    {
        var (program, rate, seconds) = measured;
        var kernels = KernelProfile.ByKind(program.Program, seconds, limits)
            .Select(k => new KernelRow(k.Kind, Name(k.Arithmetic), k.Calls, k.MacsPerStep, k.SecondsPerStep, k.TimeShare, k.MacsPerSecond, k.OfLimit))
            .ToArray();
        var macs = program.Program.Macs;
        var perThread = rate.Median / Math.Min(settings.Threads, settings.Batch);
        return new TrainingFigures(precision, rate, macs, program.Program.ArenaBytes, macs * rate.Median,
            limits.SecondsAtLimit(program.Program) * perThread, kernels);
    }

    private static string Name(Arithmetic a) => a switch { Arithmetic.Int8 => "int8", Arithmetic.Float32 => "fp32", _ => "" };

    private static void Print(IAnsiConsole console, Report r)
    {
        console.MarkupLine($"[bold]{Markup.Escape(r.Model)}[/], scheme [bold]{Markup.Escape(r.Scheme)}[/], batch {r.Batch}, {r.Threads} thread(s); {Markup.Escape(r.Images)}");
        console.MarkupLine($"limit of one core: int8 {r.PeakMacsPerSecond / 1e9:F1} GMAC/s ({Markup.Escape(r.PeakInstruction)}), fp32 {r.PeakFloatMacsPerSecond / 1e9:F1} GMAC/s ({Markup.Escape(r.PeakFloatInstruction)})");
        var table = new Table().Border(TableBorder.Rounded).AddColumns("what", "images/s (median, min..max)", "MACs", "GMAC/s", "of limit", "arena");
        foreach (var i in new[] { 2, 3, 4, 5 }) table.Columns[i].RightAligned();
        table.AddRow("inference (int8)", r.Inference.ToString(), $"{r.MacsPerInference / 1e6:F1} M", $"{r.Inference.Median * r.MacsPerInference / 1e9:F2}",
            $"{r.Inference.Median * r.MacsPerInference / r.PeakMacsPerSecond / r.Threads:P1}", "");
        foreach (var t in new[] { r.Int8, r.Fp32 }.OfType<TrainingFigures>())
            table.AddRow($"training step ({t.Precision})", t.ImagesPerSecond.ToString(), $"{t.MacsPerStep / 1e6:F1} M", $"{t.MacsPerSecond / 1e9:F2}", $"{t.OfLimit:P1}", $"{t.ArenaBytes:N0} B");
        console.Write(table);
        if (r.Fp32Unavailable is { } why) console.MarkupLine($"no fp32 training step: {Markup.Escape(why)}");
        var memory = r.PeakRssBytes is { } peak
            ? $"peak resident memory while training (int8): [bold]{peak / 1e6:F1} MB[/]{(r.PeakRssSinceReset ? "" : " (since the process started)")}, " +
              $"{(r.RssBeforeTrainingBytes ?? 0) / 1e6:F1} MB before; the planned arena is [bold]{r.ArenaBytes:N0} B[/]"
            : $"planned arena [bold]{r.ArenaBytes:N0} B[/] (no /proc/self/status here: peak resident memory unknown)";
        console.MarkupLine(memory);
        var kernels = new Table().Border(TableBorder.Rounded).Title("int8 training step by kernel (median of profiled steps)")
            .AddColumns("kernel", "arithmetic", "calls", "MACs/step", "time share", "GMAC/s", "of peak");
        foreach (var i in new[] { 2, 3, 4, 5, 6 }) kernels.Columns[i].RightAligned();
        foreach (var k in r.Int8.Kernels)
            kernels.AddRow(Markup.Escape(k.Kind), k.Arithmetic, $"{k.Calls}", k.MacsPerStep == 0 ? "" : $"{k.MacsPerStep / 1e6:F2} M", $"{k.TimeShare:P1}",
                k.MacsPerStep == 0 ? "" : $"{k.MacsPerSecond / 1e9:F2}", k.MacsPerStep == 0 ? "" : $"{k.OfPeak:P2}");
        console.Write(kernels);
    }
}
