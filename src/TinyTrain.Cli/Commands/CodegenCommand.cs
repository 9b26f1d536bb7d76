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
        var ram = new Option<string>("--ram") { DefaultValueFactory = _ => "256KB", Description = "SRAM of the linker script" };
        var flash = new Option<string>("--flash") { DefaultValueFactory = _ => "1MB", Description = "Flash of the linker script" };
        var json = CommonOptions.Json();
        var command = new Command("codegen", "Write the training step as a C project (runtime, model, driver, Makefile, linker script)")
        {
            setup, target, output, ram, flash, json,
        };
        command.SetAction(parse =>
        {
            var (graph, compiled) = setup.Compile(parse);
            var options = Options(parse, graph.Name, compiled.Scheme.Name, setup.Momentum(parse), parse.GetValue(ram)!, parse.GetValue(flash)!);
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

    internal static CodegenOptions Options(ParseResult parse, string model, string scheme, float momentum, string ram, string flash) =>
        new(model, scheme, momentum, FlashBytes: checked((int)Bytes.Parse(flash)), RamBytes: checked((int)Bytes.Parse(ram)));
}
