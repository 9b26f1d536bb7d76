using System.CommandLine;
using Spectre.Console;
using TinyTrain.Compiler;
using TinyTrain.Compiler.Autodiff;
using TinyTrain.Compiler.Sparse;
using TinyTrain.Data;
using TinyTrain.Runtime.Training;

namespace TinyTrain.Cli.Commands;

/// <summary>`tinytrain train MODEL --data D --scheme S`: fine-tune with the device's numerics on the host.</summary>
public static class TrainCommand
{
    public static Command Create(TextWriter stdout)
    {
        var source = new ModelSource();
        var split = new DataSplit(data: null, limit: null, heldOut: 500, minimumHeldOut: 0);
        var scheme = CommonOptions.Scheme("last:6");
        var run = new FineTuning();
        var output = new Option<string?>("--out", "-o") { Description = "Checkpoint file (written atomically; an existing one is resumed)" };
        var export = new Option<string?>("--export") { Description = "Also write the fine-tuned model as .tflite or .onnx (by extension)" };
        var json = CommonOptions.Json();
        var quiet = CommonOptions.Quiet();
        var command = new Command("train", "Fine-tune a model with sparse updates, as the device would")
        {
            source, split, scheme, run, output, export, json, quiet,
        };
        command.SetAction(parse =>
        {
            var fp32 = run.Fp32(parse);
            var graph = source.Load(parse);
            var dataset = split.Open(parse);
            var plan = split.Plan(parse, dataset, parse.GetValue(run.Seed));
            var options = run.Training(parse, dataset.Classes);
            if (parse.GetValue(export) is { } exportPath)
            {
                ModelExport.FormatOf(exportPath, null); // a bad name fails now, not after training
                if (fp32 || options.Head == HeadKind.Float)
                    throw new UsageException("--export writes an int8 model: train with --precision int8 and --head int8");
            }
            var reader = new BatchReader(dataset, ImageInput.Of(graph.Input.Type, dataset.Name), parse.GetValue(run.Seed));
            options = options with { FeatureRms = FeatureScale.Rms(graph, reader, plan.Train) };
            var compiled = Compilation.CompileTraining(graph, parse.GetValue(scheme)!, options, run.Momentum(parse), fp32);
            var trainer = new Trainer(compiled.Program, run.Trainer(parse) with { CheckpointPath = parse.GetValue(output) });

            var console = InspectCommand.Console(stdout);
            var show = !parse.GetValue(json) && !parse.GetValue(quiet);
            if (show)
            {
                console.MarkupLine($"[bold]{Markup.Escape(graph.Name)}[/] on [bold]{Markup.Escape(dataset.Name)}[/]: {plan.Train.Length:N0} training / {plan.Validation.Length:N0} held-out images, {dataset.Classes} classes");
                console.MarkupLine($"scheme [bold]{Markup.Escape(compiled.Scheme.Name)}[/]: {compiled.Trainables.Tensors.Length} trained tensors; training arena {compiled.Program.Program.ArenaBytes:N0} B; the head's features have an rms of {options.FeatureRms:G4}");
            }
            var before = trainer.Evaluate(reader, plan.Validation);
            IReadOnlyList<EpochResult> history = [];
            if (show)
            {
                console.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                    .Start(ctx =>
                    {
                        var task = ctx.AddTask("training", maxValue: (double)plan.Train.Length * trainer.RemainingEpochs(plan));
                        var done = 0.0;
                        history = trainer.Train(reader, plan, new ProgressCallback<TrainingProgress>(p =>
                        {
                            task.Description = $"epoch {p.Epoch}/{p.Epochs}  loss {p.Loss:F3}  acc {p.Accuracy:P1}  {p.ImagesPerSecond:F0} img/s";
                            task.Value = done + p.Done;
                            if (p.Done == p.Total) done += p.Total;
                        }));
                    });
            }
            else
            {
                history = trainer.Train(reader, plan);
            }
            var after = history.Count > 0 && history[^1].ValidationAccuracy is { } v ? v : trainer.Evaluate(reader, plan.Validation);
            var analytic = AnalyticMemory.ExtraBytes(compiled.Scheme, graph, dataset.Classes);
            var exported = parse.GetValue(export) is { } file ? ModelExport.Write(TrainedModel.Build(compiled, trainer.Model), file, null) : null;
            var result = new Result(before, after, history.Count, history.Count == 0 ? 0 : history.Average(h => h.ImagesPerSecond),
                compiled.Scheme.Name, compiled.Program.Program.ArenaBytes, analytic, options.FeatureRms, [.. history], exported);
            if (parse.GetValue(json)) Json.Write(stdout, result);
            else if (!parse.GetValue(quiet)) Print(console, result);
            else stdout.WriteLine($"accuracy {before:P2} -> {after:P2}");
            if (exported is not null && !parse.GetValue(json)) stdout.WriteLine(ModelExport.Describe(exported));
            return 0;
        });
        return command;
    }

    /// <param name="FeatureRms">The rms of one feature the new head reads (<see cref="FeatureScale"/>): the head trains on features divided by it.</param>
    public sealed record Result(double AccuracyBefore, double AccuracyAfter, int Epochs, double ImagesPerSecond, string Scheme, int ArenaBytes,
        double AnalyticExtraBytes, double FeatureRms, EpochResult[] History, ModelExport.Result? Exported = null);

    private static void Print(IAnsiConsole console, Result result)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumns("epoch", "loss", "train acc", "held-out acc", "img/s");
        foreach (var e in result.History)
            table.AddRow(e.Epoch.ToString(), e.Loss.ToString("F4"), e.TrainAccuracy.ToString("P2"), e.ValidationAccuracy?.ToString("P2") ?? "", e.ImagesPerSecond.ToString("F0"));
        console.Write(table);
        console.MarkupLine($"held-out accuracy [bold]{result.AccuracyBefore:P2}[/] -> [bold]{result.AccuracyAfter:P2}[/]");
    }
}
