using System.CommandLine;

namespace TinyTrain.Cli.Commands;

/// <summary>Options every command shares, one definition each.</summary>
public static class CommonOptions
{
    public static Option<bool> Json() => new("--json") { Description = "Print one JSON object instead of tables" };

    public static Option<bool> Quiet() => new("--quiet", "-q") { Description = "Print only the essential result" };
}
