using System.CommandLine;
using TinyTrain.Compiler;
using TinyTrain.Compiler.Autodiff;
using TinyTrain.Ir;

namespace TinyTrain.Cli.Commands;

/// <summary>The options that decide which training step is compiled (codegen and mcu share them with plan and train).</summary>
public sealed class TrainingSetup : OptionGroup
{
    public ModelSource Source { get; } = new();
    public Option<string> Scheme { get; } = new("--scheme", "-s") { Description = "paper:99kb, full, bias-only, head-only, last:N or a scheme JSON file", Required = true };
    public Option<int> Classes { get; } = new("--classes") { DefaultValueFactory = _ => 10, Description = "Classes of the new head" };
    public Option<string> Optimizer { get; } = new("--optimizer") { DefaultValueFactory = _ => "sgd", Description = "sgd or sgd-m (momentum 0.9)" };
    public Option<string> Policy { get; } = new("--policy") { DefaultValueFactory = _ => "device", Description = "device (in-place int8) or master (fp32 master copies)" };

    public TrainingSetup()
    {
        Optimizer.AcceptOnlyFromAmong("sgd", "sgd-m");
        Policy.AcceptOnlyFromAmong("device", "master");
    }

    public override IEnumerable<Symbol> Symbols => [.. Source.Symbols, Scheme, Classes, Optimizer, Policy];

    public float Momentum(ParseResult parse) => parse.GetValue(Optimizer) == "sgd-m" ? 0.9f : 0f;

    public (Graph Graph, Compilation.Training Compiled) Compile(ParseResult parse)
    {
        var graph = Source.Load(parse);
        var options = new TrainingOptions(parse.GetValue(Classes)) { Policy = parse.GetValue(Policy) == "master" ? UpdatePolicy.Master : UpdatePolicy.Device };
        return (graph, Compilation.CompileTraining(graph, parse.GetValue(Scheme)!, options, Momentum(parse)));
    }
}
