using System.CommandLine;
using Spectre.Console;
using TinyTrain.Compiler.Lowering;
using TinyTrain.Ir;

namespace TinyTrain.Cli.Commands;

/// <summary>`tinytrain inspect MODEL`: layers, shapes, parameters, MACs and the inference memory bill.</summary>
public static class InspectCommand
{
    public static Command Create(TextWriter stdout)
    {
        var source = new ModelSource();
        var json = CommonOptions.Json();
        var ir = new Option<bool>("--ir") { Description = "Print the IR as text" };
        var command = new Command("inspect", "Show a model's layers, parameters, MACs and shapes") { source, json, ir };
        command.SetAction(parse =>
        {
            var graph = source.Load(parse);
            var report = Describe(graph);
            if (parse.GetValue(json)) Json.Write(stdout, report);
            else if (parse.GetValue(ir)) stdout.Write(GraphPrinter.Print(graph));
            else Print(stdout, report);
            return 0;
        });
        return command;
    }

    public sealed record Layer(int Index, string Name, string Op, int[] OutputShape, long Params, long Macs);

    public sealed record Report(string Model, Layer[] Layers, long Params, long Macs, int[] InputShape, int[] OutputShape,
        int InferenceArenaBytes, long ConstantBytes);

    public static Report Describe(Graph graph)
    {
        var layers = graph.Operations.Select((n, i) => new Layer(i, n.Name, n.Op.Name, [.. n.Shape.Dims], n.Op is ConvLikeOp ? n.Input(1).Shape.Elements + (n.OptionalInput(2)?.Shape.Elements ?? 0) : 0, n.Op.Macs(n))).ToArray();
        var program = InferenceLowering.Lower(graph, InferenceLowering.Device); // the memory a microcontroller needs
        return new Report(graph.Name, layers, layers.Sum(l => l.Params), layers.Sum(l => l.Macs),
            [.. graph.Input.Shape.Dims], [.. graph.Output.Shape.Dims], program.ArenaBytes, program.ConstantBytes);
    }

    private static void Print(TextWriter stdout, Report report)
    {
        var console = Console(stdout);
        var table = new Table().Title($"[bold]{Markup.Escape(report.Model)}[/]").Border(TableBorder.Rounded);
        foreach (var column in new[] { "#", "layer", "op", "output", "params", "MACs" }) table.AddColumn(column);
        table.Columns[0].RightAligned();
        table.Columns[4].RightAligned();
        table.Columns[5].RightAligned();
        foreach (var l in report.Layers)
        {
            table.AddRow(l.Index.ToString(), Markup.Escape(l.Name), l.Op, string.Join("x", l.OutputShape),
                l.Params == 0 ? "" : $"{l.Params:N0}", l.Macs == 0 ? "" : $"{l.Macs:N0}");
        }
        console.Write(table);
        console.MarkupLine($"input [bold]{string.Join("x", report.InputShape)}[/] -> output [bold]{string.Join("x", report.OutputShape)}[/]; " +
            $"{report.Layers.Length} ops, [bold]{report.Params:N0}[/] params, [bold]{report.Macs / 1e6:F1} M[/] MACs");
        console.MarkupLine($"inference memory: arena [bold]{report.InferenceArenaBytes:N0} B[/] (SRAM), constants {report.ConstantBytes:N0} B (flash)");
    }

    public static IAnsiConsole Console(TextWriter writer) =>
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer), Interactive = InteractionSupport.No });
}
