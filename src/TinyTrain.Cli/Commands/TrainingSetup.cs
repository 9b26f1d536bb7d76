using System.CommandLine;
using TinyTrain.Compiler;
using TinyTrain.Compiler.Autodiff;
using TinyTrain.Ir;

namespace TinyTrain.Cli.Commands;

/// <summary>The options that decide which training step is compiled, for the commands that only compile it (codegen and mcu).</summary>
public sealed class TrainingSetup : OptionGroup
{
    public ModelSource Source { get; } = new();

    public Option<string> Scheme { get; } = CommonOptions.Scheme(defaultScheme: null);

    public Option<int> Classes { get; } = CommonOptions.Classes();

    public UpdateRule Update { get; } = new();

    public override IEnumerable<Symbol> Symbols => [.. Source.Symbols, Scheme, Classes, .. Update.Symbols];

    public float Momentum(ParseResult parse) => Update.Momentum(parse);

    public (Graph Graph, Compilation.Training Compiled) Compile(ParseResult parse)
    {
        var graph = Source.Load(parse);
        var options = new TrainingOptions(parse.GetValue(Classes)) { Policy = Update.PolicyOf(parse) };
        return (graph, Compilation.CompileTraining(graph, parse.GetValue(Scheme)!, options, Momentum(parse)));
    }
}
