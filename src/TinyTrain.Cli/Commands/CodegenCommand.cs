using System.CommandLine;
using Spectre.Console;
using TinyTrain.CodeGen.Emitter;

namespace TinyTrain.Cli.Commands;

/// <summary>`tinytrain codegen MODEL --scheme S --out DIR`: a small C project of one training step and inference.</summary>
public static class CodegenCommand
{
    public static Command Create(TextWriter stdout)
    {
        var setup = new TrainingSetup();
        var target = new Option<string>("--target") { DefaultValueFactory = _ => "host", Description = "host, cortex-m7 or cortex-m4 (what the Makefile's first target builds)" };
        target.AcceptOnlyFromAmong("host", "cortex-m7", "cortex-m4");
        var output = new Option<string>("--out", "-o") { Required = true, Description = "Folder to write the project into (created if missing)" };
        var device = new DeviceMemory();
        var data = new Option<string?>("--data", "-d")
        {
            Description = "Data the head will train on (as train's --data): its features' rms on the first 64 images after the seed-1 shuffle "
                + "sets the head's weight scale and step. Without it the rms is taken as 1, the features as they come",
        };
        var json = CommonOptions.Json();
        var command = new Command("codegen", "Write the training step as a C project (runtime, model, driver, Makefile, linker script)")
        {
            setup, target, output, device, data, json,
        };
        command.SetAction(parse =>
        {
            var (graph, compiled) = setup.Compile(parse, parse.GetValue(data));
            var options = device.Codegen(parse, graph.Name, compiled.Scheme.Name);
            var project = CProject.Emit(compiled.Program, options);
            var directory = parse.GetValue(output)!;
            var files = project.WriteTo(directory);
            var first = parse.GetValue(target) switch { "cortex-m7" => "cortex-m7", "cortex-m4" => "cortex-m4", _ => "model_host" };
            var result = new Result(directory, [.. files.Select(f => Path.GetRelativePath(directory, f))], project.ArenaBytes, compiled.Program.Program.ConstantBytes,
                $"make -C {directory} {first}");
            if (parse.GetValue(json))
            {
                Json.Write(stdout, result);
                return 0;
            }
            var console = InspectCommand.Console(stdout);
            console.MarkupLine($"wrote [bold]{files.Count}[/] files to [bold]{Markup.Escape(directory)}[/]: arena {project.ArenaBytes:N0} B, constants {result.ConstantBytes:N0} B");
            console.MarkupLine($"build it with [bold]{Markup.Escape(result.Build)}[/]");
            return 0;
        });
        return command;
    }

    public sealed record Result(string Directory, string[] Files, int ArenaBytes, long ConstantBytes, string Build);
}
