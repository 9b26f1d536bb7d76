using System.CommandLine;

namespace TinyTrain.Cli.Commands;

/// <summary>
/// Options several commands take on their own, one definition each. Where commands differ by contract (plan requires
/// --scheme, train has a default one), the difference is a parameter. Options that go together are groups:
/// <see cref="ModelSource"/>, <see cref="FineTuning"/>, <see cref="UpdateRule"/>, <see cref="DataSplit"/>, <see cref="DeviceMemory"/>.
/// </summary>
public static class CommonOptions
{
    public static Option<bool> Json() => new("--json") { Description = "Print one JSON object instead of tables" };

    public static Option<bool> Quiet() => new("--quiet", "-q") { Description = "Print only the essential result" };

    /// <param name="defaultScheme">The scheme without --scheme; null makes --scheme required.</param>
    public static Option<string> Scheme(string? defaultScheme) => new("--scheme", "-s")
    {
        Description = "paper:99kb, full, bias-only, head-only, last:N or a scheme JSON file",
        Required = defaultScheme is null,
        DefaultValueFactory = defaultScheme is null ? null : _ => defaultScheme,
    };

    /// <param name="defaultData">The data set without --data; null makes --data required.</param>
    public static Option<string> Data(string? defaultData) => new("--data", "-d")
    {
        Description = "fashion-mnist, mnist, an IDX images file or an image folder (one subfolder per class)",
        Required = defaultData is null,
        DefaultValueFactory = defaultData is null ? null : _ => defaultData,
    };

    public static Option<int> Classes() => new("--classes") { DefaultValueFactory = _ => 10, Description = "Classes of the new head" };

    public static Option<string> Precision() =>
        new Option<string>("--precision") { DefaultValueFactory = _ => "int8", Description = "int8 (the deployed graph) or fp32" }.AcceptOnlyFromAmong("int8", "fp32");

    public static Option<int> Epochs() => new("--epochs") { DefaultValueFactory = _ => 1, Description = "Passes over the training examples" };

    public static Option<int> Batch() => new("--batch") { DefaultValueFactory = _ => 1, Description = "Images per update (1 = the device: update after every image)" };

    public static Option<float> LearningRate() => new("--lr") { DefaultValueFactory = _ => 0.01f, Description = "Peak learning rate (warm-up, then cosine to 0)" };

    /// <param name="chart">What the picture shows.</param>
    public static Option<string?> Png(string chart) => new("--png") { Description = $"Write {chart} to this PNG file" };
}
