using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using ScottPlot;
using Spectre.Console;
using TinyTrain.CodeGen.Device;
using TinyTrain.CodeGen.Emitter;
using TinyTrain.Compiler;
using TinyTrain.Compiler.Autodiff;
using TinyTrain.Compiler.Lowered;
using TinyTrain.Compiler.Lowering;
using TinyTrain.Compiler.Sparse;
using TinyTrain.Data;
using TinyTrain.Formats;
using TinyTrain.Runtime.Training;

namespace TinyTrain.Cli.Commands;

/// <summary>
/// `tinytrain demo`: the whole story with no arguments. Fine-tune mcunet-5fps on a Fashion-MNIST subset with a sparse
/// scheme that fits 256 KB, print the memory bill, build the step for a Cortex-M7 and train it in QEMU, and write a
/// report with plots; end with how long the same fine-tuning would take on a 216 MHz Cortex-M7.
/// </summary>
public static class DemoCommand
{
    private const double DeviceHertz = 216e6; // the paper's STM32F746

    public static Command Create(TextWriter stdout)
    {
        var model = new Option<string>("--model") { DefaultValueFactory = _ => "mcunet-5fps", Description = "The model to fine-tune" };
        var split = new DataSplit(data: "fashion-mnist", limit: 1000, heldOut: 300, minimumHeldOut: 1);
        var scheme = CommonOptions.Scheme("paper:49kb");
        var epochs = CommonOptions.Epochs();
        var lr = CommonOptions.LearningRate();
        var deviceSteps = new Option<int>("--device-steps") { DefaultValueFactory = _ => 2, Description = "Training steps run on the emulated Cortex-M7" };
        var noDevice = new Option<bool>("--no-device") { Description = "Skip the Cortex-M7 build and run" };
        var output = new Option<string>("--out", "-o") { DefaultValueFactory = _ => "demo-report", Description = "Folder for the report and its plots" };
        var json = CommonOptions.Json();
        var quiet = CommonOptions.Quiet();
        var command = new Command("demo", "Fine-tune mcunet-5fps on Fashion-MNIST within 256 KB, run it on an emulated Cortex-M7 and write a report")
        {
            model, split, scheme, epochs, lr, deviceSteps, noDevice, output, json, quiet,
        };
        command.SetAction(parse =>
        {
            var clock = Stopwatch.StartNew();
            var show = !parse.GetValue(json) && !parse.GetValue(quiet);
            var console = InspectCommand.Console(stdout);
            void Say(string text)
            {
                if (show) console.MarkupLine(text);
            }
            var folder = parse.GetValue(output)!;
            Directory.CreateDirectory(folder);

            // 1. Model, data, scheme.
            var graph = ModelLoader.Load(parse.GetValue(model)!, null);
            var dataset = split.Open(parse);
            var plan = split.Plan(parse, dataset, seed: 1);
            var reader = new BatchReader(dataset, ImageInput.Of(graph.Input.Type, dataset.Name), 1);
            var options = new TrainingOptions(dataset.Classes) { FeatureRms = FeatureScale.Rms(graph, reader, plan.Train) };
            var compiled = Compilation.CompileTraining(graph, parse.GetValue(scheme)!, options);
            var program = compiled.Program.Program;
            var trainer = new Trainer(compiled.Program, new TrainerOptions { Epochs = parse.GetValue(epochs), LearningRate = parse.GetValue(lr), Seed = 1 });
            Say($"[grey]1/5[/] [bold]{Markup.Escape(graph.Name)}[/] on [bold]{Markup.Escape(dataset.Name)}[/]: {plan.Train.Length:N0} training and {plan.Validation.Length:N0} held-out images " +
                $"(a subset, so the demo takes minutes), scheme [bold]{Markup.Escape(compiled.Scheme.Name)}[/], batch 1 with in-place int8 updates: what the device runs");
            var evaluation = Stopwatch.StartNew();
            var before = trainer.Evaluate(reader, plan.Validation);
            // Training a batch-1 step costs about twice a forward pass here; the device stage takes about 15 s.
            var rest = 2.5 * evaluation.Elapsed.TotalSeconds / plan.Validation.Length * plan.Train.Length * parse.GetValue(epochs) + 2 * evaluation.Elapsed.TotalSeconds
                + (parse.GetValue(noDevice) ? 0 : 15);
            Say($"      held-out accuracy before fine-tuning: [bold]{before:P1}[/] (a new {dataset.Classes}-class head); the rest takes about {rest:F0} s");

            // 2. Fine-tune, with the running loss for the curve.
            var curve = new List<(int Seen, double Loss, double Accuracy)>();
            var total = (double)plan.Train.Length * parse.GetValue(epochs);
            IReadOnlyList<EpochResult> history = [];
            void Record(TrainingProgress p)
            {
                var seen = (p.Epoch - 1) * p.Total + p.Done;
                if (seen % 10 == 0 || p.Done == p.Total) curve.Add((seen, p.Loss, p.Accuracy));
            }
            if (show)
            {
                console.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn()).Start(ctx =>
                {
                    var task = ctx.AddTask("[grey]2/5[/] fine-tuning", maxValue: total);
                    history = trainer.Train(reader, plan, new ProgressCallback<TrainingProgress>(p =>
                    {
                        Record(p);
                        task.Description = $"[grey]2/5[/] fine-tuning: epoch {p.Epoch}/{p.Epochs}, loss {p.Loss:F3}, {p.ImagesPerSecond:F0} img/s";
                        task.Value = (p.Epoch - 1) * p.Total + p.Done;
                    }));
                });
            }
            else
            {
                history = trainer.Train(reader, plan, new ProgressCallback<TrainingProgress>(Record));
            }
            var after = history[^1].ValidationAccuracy ?? trainer.Evaluate(reader, plan.Validation);
            Say($"      held-out accuracy after: [bold]{after:P1}[/] ({history.Average(h => h.ImagesPerSecond):F0} images/s on this machine)");

            // 3. The memory bill.
            var state = program.Tensors.Where(t => t.Placement == TensorPlacement.Persistent).Sum(t => (long)t.Bytes);
            var inference = InferenceLowering.Lower(graph, InferenceLowering.Device).ArenaBytes;
            var analytic = AnalyticMemory.ExtraBytes(compiled.Scheme, graph, dataset.Classes);
            Say($"[grey]3/5[/] memory: the training step runs in one {program.ArenaBytes:N0} B arena (of it {state:N0} B trained parameters), " +
                $"inference alone needs {inference:N0} B, weights {program.ConstantBytes:N0} B of flash; the paper's analytic extra memory {analytic / 1024:F1} KB");
            var memoryPng = Path.Combine(folder, "memory.png");
            var lossCall = program.Calls.IndexOf(program.Calls.First(c => c is SoftmaxCrossEntropyCall));
            TimelineChart.Save(memoryPng, $"{graph.Name}, {compiled.Scheme.Name}: bytes live during one training step", Timeline.LiveBytes(program), program.ArenaBytes, lossCall, 256 * 1024);
            var schemesPng = Path.Combine(folder, "schemes.png");
            var schemes = SchemeArenas(graph, dataset.Classes, compiled.Scheme.Name);
            SaveSchemes(schemesPng, schemes, $"{graph.Name}: training arena by scheme", 256 * 1024);
            var lossPng = Path.Combine(folder, "training.png");
            SaveCurve(lossPng, curve, $"{graph.Name} on {dataset.Name}, {compiled.Scheme.Name}");

            // 4. The device.
            McuCommand.Result? device = null;
            string? deviceSkipped = null;
            if (parse.GetValue(noDevice)) deviceSkipped = "skipped (--no-device)";
            else if (Tools.Find("arm-none-eabi-gcc") is null || Tools.Find("qemu-system-arm") is null) deviceSkipped = $"skipped: the Arm toolchain or QEMU is missing ({Tools.Install})";
            else
            {
                Say($"[grey]4/5[/] the same step as C for a Cortex-M7 (1 MB flash, 256 KB SRAM), trained in QEMU:");
                device = McuCommand.RunDevice(compiled, graph.Input.Type, new CodegenOptions(graph.Name, compiled.Scheme.Name), CortexMTarget.M7, parse.GetValue(split.Data)!,
                    parse.GetValue(deviceSteps), parse.GetValue(lr), null, TimeSpan.FromMinutes(15), text => Say("      " + text));
                if (show) McuCommand.Print(console, device);
            }
            if (deviceSkipped is not null) Say($"[grey]4/5[/] Cortex-M7: {Markup.Escape(deviceSkipped)}");

            // 5. The estimate and the report.
            var steps = (long)plan.Train.Length * parse.GetValue(epochs);
            double? seconds = device is null ? null : steps * (double)device.InstructionsPerStep / DeviceHertz;
            var report = Report(graph.Name, dataset.Name, compiled.Scheme.Name, plan, parse.GetValue(epochs), parse.GetValue(lr), before, after, history,
                program.ArenaBytes, state, inference, program.ConstantBytes, analytic, schemes, device, deviceSkipped, steps, seconds, clock.Elapsed);
            var reportPath = Path.Combine(folder, "report.md");
            AtomicFile.WriteAllText(reportPath, report);
            var estimate = seconds is { } s
                ? $"the same fine-tuning ({steps:N0} steps) would take about [bold]{Duration(s)}[/] on a 216 MHz Cortex-M7: an estimate, {device!.InstructionsPerStep:N0} instructions per step counted in QEMU at an assumed 1 instruction per cycle (QEMU models no caches or wait states)"
                : "no device estimate (the device stage did not run)";
            Say($"[grey]5/5[/] {estimate}");
            Say($"      report: [bold]{Markup.Escape(reportPath)}[/] with training.png, memory.png and schemes.png; {clock.Elapsed.TotalSeconds:F0} s in all");

            var result = new Result(graph.Name, dataset.Name, compiled.Scheme.Name, before, after, program.ArenaBytes, state, inference, program.ConstantBytes,
                device, seconds, Path.GetFullPath(reportPath));
            if (parse.GetValue(json)) Json.Write(stdout, result);
            else if (!show) stdout.WriteLine($"accuracy {before:P2} -> {after:P2}, arena {program.ArenaBytes} B, report {reportPath}");
            return 0;
        });
        return command;
    }

    public sealed record Result(string Model, string Data, string Scheme, double AccuracyBefore, double AccuracyAfter, int ArenaBytes, long StateBytes,
        int InferenceArenaBytes, long FlashBytes, McuCommand.Result? Device, double? EstimatedDeviceSeconds, string ReportPath);

    private static string Report(string model, string data, string scheme, DataPlan plan, int epochs, float lr, double before, double after,
        IReadOnlyList<EpochResult> history, int arena, long state, int inference, long flash, double analytic, IReadOnlyList<(string Scheme, int Arena)> schemes,
        McuCommand.Result? device, string? skipped,
        long steps, double? seconds, TimeSpan elapsed)
    {
        var s = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        s.AppendLine(c, $"# TinyTrain demo: {model} on {data}, scheme {scheme}");
        s.AppendLine();
        s.AppendLine(c, $"Written {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; the run took {elapsed.TotalSeconds:F0} s.");
        s.AppendLine();
        s.AppendLine("## Settings");
        s.AppendLine();
        s.AppendLine(c, $"- {plan.Train.Length:N0} training and {plan.Validation.Length:N0} held-out images (seed 1), {epochs} epoch(s), batch 1 (the device), learning rate {lr} (cosine), SGD with quantization-aware scaling, in-place int8 updates");
        s.AppendLine();
        s.AppendLine("## Accuracy");
        s.AppendLine();
        AppendValues(s, "held-out accuracy", ("before (new head)", $"{before:P2}"), ("after", $"{after:P2}"));
        s.AppendLine();
        s.AppendLine("| epoch | training loss | training accuracy | held-out accuracy | images/s |");
        s.AppendLine("| ---: | ---: | ---: | ---: | ---: |");
        foreach (var e in history) s.AppendLine(c, $"| {e.Epoch} | {e.Loss:F4} | {e.TrainAccuracy:P2} | {e.ValidationAccuracy?.ToString("P2", c) ?? ""} | {e.ImagesPerSecond:F0} |");
        s.AppendLine();
        s.AppendLine("![training](training.png)");
        s.AppendLine();
        s.AppendLine("## Memory");
        s.AppendLine();
        AppendValues(s, "bytes",
            ("training arena (SRAM, everything of a step)", $"{arena:N0}"),
            ("of it trained parameters (persistent)", $"{state:N0}"),
            ("inference arena alone", $"{inference:N0}"),
            ("frozen weights (flash)", $"{flash:N0}"),
            ("the paper's analytic extra memory", $"{analytic:N0}"));
        s.AppendLine();
        s.AppendLine("![memory](memory.png)");
        s.AppendLine();
        s.AppendLine("Every scheme of this model against the 256 KB budget (the planned training arena):");
        s.AppendLine();
        s.AppendLine("| scheme | arena (B) | fits 256 KB |");
        s.AppendLine("| --- | ---: | --- |");
        foreach (var (name, bytes) in schemes) s.AppendLine(c, $"| {name} | {bytes:N0} | {(bytes <= 256 * 1024 ? "yes" : "no")} |");
        s.AppendLine();
        s.AppendLine("![schemes](schemes.png)");
        s.AppendLine();
        s.AppendLine("## Cortex-M7 (QEMU mps2-an500)");
        s.AppendLine();
        if (device is null)
        {
            s.AppendLine(c, $"{skipped}");
        }
        else
        {
            AppendValues(s, "value",
                ("flash (text + data)", $"{device.FlashBytes:N0} B of {device.FlashBudgetBytes:N0}"),
                ("static RAM (data + bss)", $"{device.StaticRamBytes:N0} B of {device.RamBudgetBytes:N0}"),
                ("stack peak", $"{device.StackPeakBytes:N0} B"),
                ("instructions per training step", $"{device.InstructionsPerStep:N0}"),
                ("instructions per inference", $"{device.InstructionsPerInference:N0}"),
                ("matches the host bit for bit", $"{(device.MatchesHost ? "yes" : "no: " + device.Difference)}"));
            s.AppendLine();
            s.AppendLine(c, $"**Estimate:** the fine-tuning above ({steps:N0} steps) would take about {Duration(seconds!.Value)} on a 216 MHz Cortex-M7 (STM32F746).");
            s.AppendLine("This is an estimate: instructions per step counted in QEMU with `-icount shift=0`, at an assumed one instruction per " +
                "cycle; QEMU models no caches, flash wait states or dual issue, so a real board may be faster or slower.");
        }
        return s.ToString();
    }

    /// <summary>A Markdown table of labelled values, the values right-aligned under one heading.</summary>
    private static void AppendValues(StringBuilder s, string heading, params (string Label, FormattableString Value)[] rows)
    {
        s.AppendLine(CultureInfo.InvariantCulture, $"| | {heading} |");
        s.AppendLine("| --- | ---: |");
        foreach (var (label, value) in rows) s.AppendLine(CultureInfo.InvariantCulture, $"| {label} | {FormattableString.Invariant(value)} |");
    }

    /// <summary>The planned arena of the model's paper schemes (if it has any), bias-only, the chosen scheme and last:12.</summary>
    private static List<(string Scheme, int Arena)> SchemeArenas(TinyTrain.Ir.Graph graph, int classes, string chosen)
    {
        var names = new List<string> { "bias-only" };
        names.AddRange(PaperSchemes.Budgets(graph.Name).Select(b => "paper:" + b));
        names.Add("last:12");
        if (!names.Contains(chosen)) names.Add(chosen);
        return [.. names.Select(n => (n, Compilation.CompileTraining(graph, n, new TrainingOptions(classes)).Program.Program.ArenaBytes))];
    }

    private static void SaveSchemes(string path, IReadOnlyList<(string Scheme, int Arena)> schemes, string title, int budget)
    {
        var plot = new Plot();
        var bars = plot.Add.Bars(schemes.Select(s => s.Arena / 1024.0).ToArray());
        bars.Color = Colors.SteelBlue;
        plot.Axes.Bottom.SetTicks([.. Enumerable.Range(0, schemes.Count).Select(i => (double)i)], [.. schemes.Select(s => s.Scheme)]);
        var line = plot.Add.HorizontalLine(budget / 1024.0);
        line.Color = Colors.Red;
        line.LegendText = $"budget {budget / 1024} KB";
        plot.Title(title);
        plot.YLabel("KB of SRAM per training step");
        plot.ShowLegend(Alignment.UpperCenter);
        AtomicFile.Write(path, file => plot.SavePng(file, 900, 400));
    }

    private static void SaveCurve(string path, List<(int Seen, double Loss, double Accuracy)> curve, string title)
    {
        var plot = new Plot();
        if (curve.Count > 0)
        {
            var xs = curve.Select(p => (double)p.Seen).ToArray();
            var loss = plot.Add.Scatter(xs, [.. curve.Select(p => p.Loss)]);
            loss.LegendText = "running training loss";
            loss.MarkerSize = 0;
            var accuracy = plot.Add.Scatter(xs, [.. curve.Select(p => p.Accuracy)]);
            accuracy.LegendText = "running training accuracy";
            accuracy.MarkerSize = 0;
        }
        plot.Title(title);
        plot.XLabel("images trained on (batch 1: one update each)");
        plot.ShowLegend(Alignment.UpperRight);
        AtomicFile.Write(path, file => plot.SavePng(file, 900, 400));
    }

    private static string Duration(double seconds) => seconds switch
    {
        < 120 => $"{seconds:F0} s",
        < 7200 => $"{seconds / 60:F0} minutes",
        _ => $"{seconds / 3600:F1} hours",
    };

}
