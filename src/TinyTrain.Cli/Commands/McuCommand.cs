using System.CommandLine;
using Spectre.Console;
using TinyTrain.CodeGen.Device;
using TinyTrain.CodeGen.Emitter;
using TinyTrain.CodeGen.Verification;
using TinyTrain.Data;
using TinyTrain.Formats;

namespace TinyTrain.Cli.Commands;

/// <summary>
/// `tinytrain mcu MODEL --scheme S --target cortex-m7`: generate the C project, build it for the core against a linker
/// script of the device's flash and SRAM, run training steps bare metal in QEMU on real images, and check the result
/// against the host executor byte for byte.
/// </summary>
public static class McuCommand
{
    public static Command Create(TextWriter stdout)
    {
        var setup = new TrainingSetup();
        var target = new Option<string>("--target") { DefaultValueFactory = _ => "cortex-m7", Description = "cortex-m7 (QEMU mps2-an500) or cortex-m4 (mps2-an386)" };
        target.AcceptOnlyFromAmong("cortex-m7", "cortex-m4");
        var data = CommonOptions.Data("fashion-mnist");
        data.Description += "; the head's feature rms is measured on its first 64 images after the seed-1 shuffle";
        var steps = new Option<int>("--steps") { DefaultValueFactory = _ => 3, Description = "Training steps to run on the device" };
        var lr = new Option<float>("--lr") { DefaultValueFactory = _ => 0.01f, Description = "Learning rate of the steps" };
        var output = new Option<string?>("--out", "-o") { Description = "Folder for the project and the build (default: a new temporary folder)" };
        var device = new DeviceMemory();
        var timeout = new Option<int>("--timeout") { DefaultValueFactory = _ => 900, Description = "Seconds QEMU may run" };
        var json = CommonOptions.Json();
        var quiet = CommonOptions.Quiet();
        var command = new Command("mcu", "Build the training step for a Cortex-M, run it in QEMU and compare it with the host")
        {
            setup, target, data, steps, lr, output, device, timeout, json, quiet,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(steps) < 1) throw new UsageException("--steps must be at least 1");
            var core = CortexMTarget.Parse(parse.GetValue(target)!);
            var show = !parse.GetValue(json) && !parse.GetValue(quiet);
            var console = InspectCommand.Console(stdout);
            void Say(string text)
            {
                if (show) console.MarkupLine(text);
            }

            var (graph, compiled) = setup.Compile(parse, parse.GetValue(data));
            var options = device.Codegen(parse, graph.Name, compiled.Scheme.Name);
            var result = RunDevice(compiled, graph.Input.Type, options, core, parse.GetValue(data)!, parse.GetValue(steps), parse.GetValue(lr),
                parse.GetValue(output), TimeSpan.FromSeconds(parse.GetValue(timeout)), Say);
            if (parse.GetValue(json)) Json.Write(stdout, result);
            else if (show) Print(console, result);
            else stdout.WriteLine($"{result.Target}: flash {result.FlashBytes} B, static RAM {result.StaticRamBytes} B, stack {result.StackPeakBytes} B, {result.InstructionsPerStep} instructions/step, matches host: {result.MatchesHost}");
            if (result.Difference is not null) throw new UsageException($"the device's result differs from the host's: {result.Difference}");
            return 0;
        });
        return command;
    }

    /// <summary>
    /// Generates the project, builds it for the core, runs the steps in QEMU and compares the result with the host executor.
    /// Without a folder the project lives in a temporary one, removed afterwards.
    /// </summary>
    public static Result RunDevice(TinyTrain.Compiler.Compilation.Training compiled, TinyTrain.Ir.TensorType input, CodegenOptions options, CortexMTarget core,
        string data, int steps, float lr, string? folder, TimeSpan timeout, Action<string> say)
    {
        var training = compiled.Program;
        var directory = folder ?? Path.Combine(Path.GetTempPath(), $"tinytrain-mcu-{Environment.ProcessId}-{Guid.NewGuid():N}"[..32]);
        try
        {
            CProject.Emit(training, options).WriteTo(directory);
            say($"[grey]1/4[/] generated the C project in [bold]{Markup.Escape(directory)}[/]{(folder is null ? " (temporary; --out keeps it)" : "")} (arena {training.Program.ArenaBytes:N0} B)");

            var (elf, sizes) = CortexMBuild.Build(directory, core, options);
            say($"[grey]2/4[/] built for {core.Name}: flash {sizes.FlashBytes:N0} B of {options.FlashBytes:N0}, static RAM {sizes.StaticRamBytes:N0} B of {options.RamBytes:N0}");

            var (requests, inferences) = Requests(data, training, steps, lr, input);
            DeviceSteps.Write(Path.Combine(directory, "steps.bin"), training, requests, inferences);
            say($"[grey]3/4[/] running {requests.Count} training steps and {inferences.Count} inference in QEMU {core.Machine} (-icount shift=0)...");
            var run = QemuRun.Run(directory, elf, core, timeout);

            var expected = DeviceSteps.Expected(training, requests, inferences);
            var difference = DeviceSteps.Difference(training, expected, File.ReadAllBytes(Path.Combine(directory, "result.bin")), requests.Count, inferences.Count);
            say($"[grey]4/4[/] compared with the host executor: {(difference is null ? "[green]identical, bit for bit[/]" : $"[red]{Markup.Escape(difference)}[/]")}");

            return new Result(options.ModelName, compiled.Scheme.Name, core.Name, training.Program.ArenaBytes, sizes.FlashBytes, sizes.StaticRamBytes,
                run.StackPeakBytes, SteadyStep(run.StepInstructions), run.InferenceInstructions.Count > 0 ? (long)run.InferenceInstructions.Average() : 0,
                training.Program.Macs, difference is null, difference, options.RamBytes, options.FlashBytes, [.. run.StepInstructions], directory);
        }
        finally
        {
            // A temporary project goes with the run; pass --out to keep it.
            if (folder is null && Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// Instructions per training step: the mean of the steps after the first. The first step's new head is all zeros, so
    /// the gradient it passes to the backbone is zero and the kernels skip most of that backward pass; later steps pay
    /// for all of it.
    /// </summary>
    internal static long SteadyStep(IReadOnlyList<long> steps) =>
        steps.Count == 0 ? 0 : (long)(steps.Count == 1 ? steps : steps.Skip(1)).Average();

    public sealed record Result(string Model, string Scheme, string Target, int ArenaBytes, long FlashBytes, long StaticRamBytes, long StackPeakBytes,
        long InstructionsPerStep, long InstructionsPerInference, long MacsPerStep, bool MatchesHost, string? Difference, long RamBudgetBytes,
        long FlashBudgetBytes, long[] StepInstructions, string Directory);

    internal static void Print(IAnsiConsole console, Result r)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumns("", "bytes / count", "budget");
        table.AddRow("flash (text + data)", $"{r.FlashBytes:N0}", $"{r.FlashBudgetBytes:N0}");
        table.AddRow("static RAM (data + bss)", $"{r.StaticRamBytes:N0}", $"{r.RamBudgetBytes:N0}");
        table.AddRow("  of it the arena", $"{r.ArenaBytes:N0}", "");
        table.AddRow("stack peak (painted)", $"{r.StackPeakBytes:N0}", "");
        table.AddRow("instructions per training step", $"{r.InstructionsPerStep:N0}", "");
        table.AddRow("instructions per inference", $"{r.InstructionsPerInference:N0}", "");
        table.AddRow("MACs per training step", $"{r.MacsPerStep:N0}", "");
        console.Write(table);
        console.MarkupLine($"matches the host: {(r.MatchesHost ? "[green]yes[/]" : "[red]no[/]")}");
    }

    /// <summary>The first images of the data set, encoded for the model's input: training steps, then one inference.</summary>
    private static (List<DeviceStep> Steps, List<sbyte[]> Inferences) Requests(string data, TinyTrain.Compiler.Lowering.TrainingProgram training, int steps, float lr,
        TinyTrain.Ir.TensorType input)
    {
        var dataset = DatasetCatalog.Open(data, SharedData.TryFind()).Train;
        var classes = training.Program.Tensors[training.Logits].Bytes / 4;
        if (dataset.Classes > classes) throw new UsageException($"{dataset.Name} has {dataset.Classes} classes; compile the head with --classes {dataset.Classes}");
        var reader = new BatchReader(dataset, ImageInput.Of(input, dataset.Name), 1);
        var indices = Enumerable.Range(0, Math.Min(dataset.Count, steps + 1)).ToArray();
        var batch = reader.Batches(indices, indices.Length, augment: false, epoch: 0).First();
        var requests = Enumerable.Range(0, Math.Min(steps, batch.Count)).Select(i => new DeviceStep((sbyte[])batch.Inputs[i].Clone(), batch.Labels[i], lr)).ToList();
        return (requests, [(sbyte[])batch.Inputs[batch.Count - 1].Clone()]);
    }
}
