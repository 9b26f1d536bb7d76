using System.CommandLine;
using TinyTrain.Formats;
using TinyTrain.Ir;

namespace TinyTrain.Cli.Commands;

/// <summary>MODEL and --models-dir: the model a command reads, a file or one of the paper's models by name.</summary>
public sealed class ModelSource : OptionGroup
{
    public Argument<string> Model { get; } = new("MODEL")
    {
        Description = "A .tflite or .pkl file, or one of mcunet-5fps, mbv2-w0.35, proxyless-w0.3",
    };

    public Option<string?> ModelsDir { get; } = new("--models-dir")
    {
        Description = "Folder holding the paper's .pkl models (default: shared/data/tiny-training/mcu_models)",
    };

    public override IEnumerable<Symbol> Symbols => [Model, ModelsDir];

    public Graph Load(ParseResult parse) => ModelLoader.Load(parse.GetValue(Model)!, parse.GetValue(ModelsDir));

    /// <summary>The model's file: the path given, or where the paper's model of that name is.</summary>
    public string Resolve(ParseResult parse) => ModelLoader.Resolve(parse.GetValue(Model)!, parse.GetValue(ModelsDir));
}
