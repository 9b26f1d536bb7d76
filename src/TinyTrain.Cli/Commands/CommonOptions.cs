using System.CommandLine;

namespace TinyTrain.Cli.Commands;

/// <summary>Options every command shares, one definition each.</summary>
public static class CommonOptions
{
    public static Argument<string> Model() => new("MODEL")
    {
        Description = "A .tflite or .pkl file, or one of mcunet-5fps, mbv2-w0.35, proxyless-w0.3",
    };

    public static Option<string?> ModelsDir() => new("--models-dir")
    {
        Description = "Folder holding the paper's .pkl models (default: shared/data/tiny-training/mcu_models)",
    };

    public static Option<bool> Json() => new("--json") { Description = "Print one JSON object instead of tables" };

    public static Option<bool> Quiet() => new("--quiet", "-q") { Description = "Print only the essential result" };
}
