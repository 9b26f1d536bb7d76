using System.CommandLine;
using Spectre.Console;
using TinyTrain.Compiler;
using TinyTrain.Compiler.Autodiff;
using TinyTrain.Compiler.Lowered;
using TinyTrain.Compiler.Schedule;
using TinyTrain.Compiler.Sparse;
using LoweredProgram = TinyTrain.Compiler.Lowered.Program;

namespace TinyTrain.Cli.Commands;

/// <summary>`tinytrain plan MODEL --scheme S`: the SRAM/flash bill of one training step, tensor by tensor, against a budget.</summary>
public static class PlanCommand
{
    public static Command Create(TextWriter stdout)
    {
        var source = new ModelSource();
        var json = CommonOptions.Json();
        var scheme = CommonOptions.Scheme(defaultScheme: null);
        var budget = new Option<string?>("--budget") { Description = "SRAM budget, e.g. 256KB, 320KiB, 1MB or bytes; over it the command fails" };
        var classes = CommonOptions.Classes();
        var precision = CommonOptions.Precision();
        var tensors = new Option<bool>("--tensors") { Description = "List every arena tensor" };
        var timeline = new Option<bool>("--timeline") { Description = "Chart the bytes live at each call" };
        var png = CommonOptions.Png("the chart of bytes live at each call");
        var noReorder = new Option<bool>("--no-reorder")
        {
            Description = "Switch off the memory passes (reordering, fused updates, in-place ops, SRAM slices of trained filters)",
        };
        var command = new Command("plan", "Show what a training step keeps in SRAM and flash, and whether it fits a budget")
        {
            source, scheme, budget, classes, precision, tensors, timeline, png, noReorder, json,
        };
        command.SetAction(parse =>
        {
            var graph = source.Load(parse);
            var fp32 = parse.GetValue(precision) == "fp32";
            var options = new TrainingOptions(parse.GetValue(classes), fp32 ? HeadKind.Float : HeadKind.Int8);
            var memory = parse.GetValue(noReorder) ? MemoryOptions.None : MemoryOptions.Default;
            var compiled = Compilation.CompileTraining(graph, parse.GetValue(scheme)!, options, fp32: fp32, memory: memory);
            var program = compiled.Program.Program;
            var limit = parse.GetValue(budget) is { } text ? Bytes.Parse(text) : (long?)null;
            var state = program.Tensors.Where(t => t.Placement == TensorPlacement.Persistent).Sum(t => (long)t.Bytes);
            var report = new Report(graph.Name, compiled.Scheme.Name, AnalyticMemory.ExtraBytes(compiled.Scheme, graph, options.Classes),
                program.ArenaBytes, state, program.Arena.LowerBound, program.Arena.Strategy, !parse.GetValue(noReorder),
                program.ConstantBytes, limit is null || program.ArenaBytes <= limit, limit,
                [.. program.Tensors.Where(t => t.Placement != TensorPlacement.Constant).OrderBy(t => t.Offset).ThenBy(t => t.Id)
                    .Select(t => new TensorRow(t.Name, Kind(t), t.Bytes, t.FirstUse, t.LastUse, t.Offset))]);
            if (parse.GetValue(json)) Json.Write(stdout, report);
            else Print(InspectCommand.Console(stdout), report, parse.GetValue(tensors));
            var loss = program.Calls.IndexOf(program.Calls.First(c => c is SoftmaxCrossEntropyCall));
            if (parse.GetValue(timeline) && !parse.GetValue(json))
            {
                foreach (var line in Timeline.Chart(Timeline.LiveBytes(program), program.ArenaBytes, loss)) stdout.WriteLine(line);
            }
            if (parse.GetValue(png) is { } file)
            {
                TimelineChart.Save(file, $"{graph.Name}, {compiled.Scheme.Name}: training step memory", Timeline.LiveBytes(program), program.ArenaBytes, loss, limit);
            }
            if (!report.FitsBudget) throw new UsageException(OverBudget(program, limit!.Value));
            return 0;
        });
        return command;
    }

    public sealed record TensorRow(string Name, string Kind, int Bytes, int FirstUse, int LastUse, int Offset);

    /// <param name="StateBytes">Of the arena: trained parameters and optimiser state, which live across steps.</param>
    /// <param name="LowerBoundBytes">The most bytes live at one call: no layout of this schedule is smaller.</param>
    public sealed record Report(string Model, string Scheme, double AnalyticExtraBytes, int ArenaBytes, long StateBytes, int LowerBoundBytes,
        string Planner, bool Reordered, long FlashBytes, bool FitsBudget, long? BudgetBytes, TensorRow[] Tensors);

    /// <summary>The one-line diagnostic: by how much, and the largest tensors live when the arena peaks.</summary>
    public static string OverBudget(LoweredProgram program, long budget)
    {
        var arena = program.Tensors.Where(t => t.Placement != TensorPlacement.Constant).ToList();
        var peak = Enumerable.Range(0, program.Calls.Length + 1)
            .Select(step => (Step: step, Live: arena.Where(t => t.FirstUse <= step && step <= t.LastUse).ToList()))
            .MaxBy(s => s.Live.Sum(t => (long)t.Bytes));
        var largest = peak.Live.OrderByDescending(t => t.Bytes).Take(3).Select(t => $"{t.Name} {t.Bytes:N0} B");
        var at = peak.Step < program.Calls.Length ? program.Calls[peak.Step].Name : "the end";
        return $"the training arena needs {program.ArenaBytes:N0} B, over the {budget:N0} B budget by {program.ArenaBytes - budget:N0} B; " +
            $"at its peak ({at}) the largest live tensors are {string.Join(", ", largest)}";
    }

    private static string Kind(ProgramTensor t) => t.Placement == TensorPlacement.Persistent
        ? (t.Name.EndsWith(".master", StringComparison.Ordinal) || t.Name.EndsWith(".velocity", StringComparison.Ordinal) ? "optimiser state" : "trained parameter")
        : t.DType switch
        {
            Ir.DType.Bit => "clamp mask",
            Ir.DType.Float32 => "fp32 value/gradient",
            Ir.DType.Int32 => "label",
            _ => "activation",
        };

    private static void Print(IAnsiConsole console, Report report, bool all)
    {
        if (all)
        {
            var table = new Table().Border(TableBorder.Rounded).AddColumns("tensor", "kind", "bytes", "live (calls)", "offset");
            foreach (var t in report.Tensors) table.AddRow(Markup.Escape(t.Name), t.Kind, $"{t.Bytes:N0}", $"{t.FirstUse}..{t.LastUse}", $"{t.Offset:N0}");
            console.Write(table);
        }
        var byKind = report.Tensors.GroupBy(t => t.Kind).Select(g => $"{g.Key} {g.Sum(t => (long)t.Bytes):N0} B").ToList();
        console.MarkupLine($"[bold]{Markup.Escape(report.Model)}[/], scheme [bold]{Markup.Escape(report.Scheme)}[/]");
        console.MarkupLine($"  training arena (SRAM): [bold]{report.ArenaBytes:N0} B[/]  ({string.Join("; ", byKind)} before sharing)");
        console.MarkupLine($"    of which trained state: {report.StateBytes:N0} B; live-bytes bound {report.LowerBoundBytes:N0} B; planner: {report.Planner}" +
            (report.Reordered ? "" : "; memory passes off"));
        console.MarkupLine($"  frozen constants (flash): {report.FlashBytes:N0} B");
        console.MarkupLine($"  paper's analytic extra memory: {report.AnalyticExtraBytes / 1024:F1} KB");
        if (report.BudgetBytes is { } b) console.MarkupLine(report.FitsBudget ? $"  fits the {b:N0} B budget" : $"  [red]over the {b:N0} B budget[/]");
    }
}
