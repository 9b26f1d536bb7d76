using System.CommandLine;
using Spectre.Console;
using TinyTrain.Compiler;
using TinyTrain.Compiler.Autodiff;
using TinyTrain.Compiler.Sparse;
using TinyTrain.Data;
using TinyTrain.Formats;
using TinyTrain.Ir;
using TinyTrain.Runtime.Training;

namespace TinyTrain.Cli.Commands;

/// <summary>`tinytrain train MODEL --data D --scheme S`: fine-tune with the device's numerics on the host.</summary>
public static class TrainCommand
{
    public static Command Create(TextWriter stdout)
    {
        var source = new ModelSource();
        var json = CommonOptions.Json();
        var quiet = CommonOptions.Quiet();
        var data = new Option<string>("--data", "-d") { Description = "fashion-mnist, mnist, an IDX images file or an image folder (one subfolder per class)", Required = true };
        var scheme = new Option<string>("--scheme", "-s") { Description = "paper:99kb, full, bias-only, head-only, last:N or a scheme JSON file", DefaultValueFactory = _ => "last:6" };
        var epochs = new Option<int>("--epochs") { DefaultValueFactory = _ => 1, Description = "Passes over the training examples" };
        var batch = new Option<int>("--batch") { DefaultValueFactory = _ => 1, Description = "Images per update (1 = the device: update after every image)" };
        var lr = new Option<float>("--lr") { DefaultValueFactory = _ => 0.01f, Description = "Peak learning rate (warm-up, then cosine to 0)" };
        var warmup = new Option<double>("--warmup") { DefaultValueFactory = _ => 0, Description = "Warm-up length in epochs" };
        var optimizer = new Option<string>("--optimizer") { DefaultValueFactory = _ => "sgd", Description = "sgd or sgd-m (momentum 0.9)" };
        optimizer.AcceptOnlyFromAmong("sgd", "sgd-m");
        var qas = new Option<string>("--qas") { DefaultValueFactory = _ => "on", Description = "Quantization-aware scaling: on or off" };
        qas.AcceptOnlyFromAmong("on", "off");
        var precision = new Option<string>("--precision") { DefaultValueFactory = _ => "int8", Description = "int8 (the deployed graph) or fp32" };
        precision.AcceptOnlyFromAmong("int8", "fp32");
        var policy = new Option<string>("--policy") { DefaultValueFactory = _ => "device", Description = "device (in-place int8) or master (fp32 master copies)" };
        policy.AcceptOnlyFromAmong("device", "master");
        var head = new Option<string?>("--head") { Description = "The new classifier: int8 (default; as on the device) or fp32 (default with --precision fp32)" };
        head.AcceptOnlyFromAmong("int8", "fp32");
        var limit = new Option<int?>("--limit") { Description = "Use the first N examples after the seeded shuffle" };
        var validation = new Option<int>("--val") { DefaultValueFactory = _ => 500, Description = "Held-out examples for accuracy" };
        var seed = new Option<ulong>("--seed") { DefaultValueFactory = _ => 1, Description = "Shuffling and augmentation seed" };
        var augment = new Option<bool>("--augment") { Description = "Random resized crops and flips while training" };
        var output = new Option<string?>("--out", "-o") { Description = "Checkpoint file (written atomically; an existing one is resumed)" };
        var export = new Option<string?>("--export") { Description = "Also write the fine-tuned model as .tflite or .onnx (by extension)" };
        var command = new Command("train", "Fine-tune a model with sparse updates, as the device would")
        {
            source, data, scheme, epochs, batch, lr, warmup, optimizer, qas, precision, policy, head, limit, validation, seed, augment, output, export, json, quiet,
        };
        command.SetAction(parse =>
        {
            var fp32 = parse.GetValue(precision) == "fp32";
            var momentum = parse.GetValue(optimizer) == "sgd-m" ? 0.9f : 0f;
            var graph = source.Load(parse);
            var split = DatasetCatalog.Open(parse.GetValue(data)!, SharedData.TryFind());
            var dataset = split.Train;
            var pool = Math.Min(dataset.Count, parse.GetValue(limit) ?? int.MaxValue);
            if (parse.GetValue(validation) < 0 || parse.GetValue(validation) >= pool)
                throw new UsageException($"--val {parse.GetValue(validation)} leaves no training examples out of {pool}; lower --val or raise --limit");
            var plan = DataPlan.Create(dataset, parse.GetValue(seed), parse.GetValue(limit), ValidationSplit.OfCount(parse.GetValue(validation)));
            var options = new TrainingOptions(dataset.Classes, (parse.GetValue(head) ?? (fp32 ? "fp32" : "int8")) == "fp32" ? HeadKind.Float : HeadKind.Int8,
                parse.GetValue(qas) == "on", parse.GetValue(policy) == "master" ? UpdatePolicy.Master : UpdatePolicy.Device);
            if (parse.GetValue(export) is { } exportPath)
            {
                ModelExport.FormatOf(exportPath, null); // a bad name fails now, not after training
                if (fp32 || options.Head == HeadKind.Float)
                    throw new UsageException("--export writes an int8 model: train with --precision int8 and --head int8");
            }
            var compiled = Compilation.CompileTraining(graph, parse.GetValue(scheme)!, options, momentum, fp32);
            var input = graph.Input.Shape;
            var reader = new BatchReader(dataset, input[1], input[2], input[3], parse.GetValue(seed));
            var trainer = new Trainer(compiled.Program, new TrainerOptions
            {
                Epochs = parse.GetValue(epochs), BatchSize = parse.GetValue(batch), LearningRate = parse.GetValue(lr),
                Momentum = momentum, WarmupEpochs = parse.GetValue(warmup), Seed = parse.GetValue(seed),
                Augment = parse.GetValue(augment), CheckpointPath = parse.GetValue(output),
            });

            var console = InspectCommand.Console(stdout);
            var show = !parse.GetValue(json) && !parse.GetValue(quiet);
            if (show)
            {
                console.MarkupLine($"[bold]{Markup.Escape(graph.Name)}[/] on [bold]{Markup.Escape(dataset.Name)}[/]: {plan.Train.Length:N0} training / {plan.Validation.Length:N0} held-out images, {dataset.Classes} classes");
                console.MarkupLine($"scheme [bold]{Markup.Escape(compiled.Scheme.Name)}[/]: {compiled.Trainables.Tensors.Length} trained tensors; training arena {compiled.Program.Program.ArenaBytes:N0} B");
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
                compiled.Scheme.Name, compiled.Program.Program.ArenaBytes, analytic, [.. history], exported);
            if (parse.GetValue(json)) Json.Write(stdout, result);
            else if (!parse.GetValue(quiet)) Print(console, result);
            else stdout.WriteLine($"accuracy {before:P2} -> {after:P2}");
            if (exported is not null && !parse.GetValue(json)) stdout.WriteLine(ModelExport.Describe(exported));
            return 0;
        });
        return command;
    }

    public sealed record Result(double AccuracyBefore, double AccuracyAfter, int Epochs, double ImagesPerSecond, string Scheme, int ArenaBytes,
        double AnalyticExtraBytes, EpochResult[] History, ModelExport.Result? Exported = null);

    private static void Print(IAnsiConsole console, Result result)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumns("epoch", "loss", "train acc", "held-out acc", "img/s");
        foreach (var e in result.History)
            table.AddRow(e.Epoch.ToString(), e.Loss.ToString("F4"), e.TrainAccuracy.ToString("P2"), e.ValidationAccuracy?.ToString("P2") ?? "", e.ImagesPerSecond.ToString("F0"));
        console.Write(table);
        console.MarkupLine($"held-out accuracy [bold]{result.AccuracyBefore:P2}[/] -> [bold]{result.AccuracyAfter:P2}[/]");
    }
}
