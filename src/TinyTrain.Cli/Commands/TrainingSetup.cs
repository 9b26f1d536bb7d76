using System.CommandLine;
using TinyTrain.Compiler;
using TinyTrain.Compiler.Autodiff;
using TinyTrain.Data;
using TinyTrain.Formats;
using TinyTrain.Ir;
using TinyTrain.Runtime.Training;

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

    /// <summary>
    /// The model and its compiled step. With <paramref name="data"/> the head is built for the rms of the features of
    /// its first 64 images after the seed-1 shuffle (<see cref="FeatureScale.Rms(Graph, LabelledDataset)"/>); without, rms 1.
    /// </summary>
    public (Graph Graph, Compilation.Training Compiled) Compile(ParseResult parse, string? data)
    {
        var graph = Source.Load(parse);
        var rms = data is null ? 1 : FeatureScale.Rms(graph, DatasetCatalog.Open(data, SharedData.TryFind()).Train);
        var options = new TrainingOptions(parse.GetValue(Classes)) { Policy = Update.PolicyOf(parse), FeatureRms = rms };
        return (graph, Compilation.CompileTraining(graph, parse.GetValue(Scheme)!, options, Momentum(parse)));
    }
}
