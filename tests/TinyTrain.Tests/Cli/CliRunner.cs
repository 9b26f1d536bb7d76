using System.Text.Json;

namespace TinyTrain.Tests.Cli;

/// <summary>Runs the CLI in this process, as a shell would, and captures what it prints.</summary>
internal static class CliRunner
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var code = TinyTrain.Cli.Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs a command that must succeed (else its stderr is the failure) and returns the JSON object it printed.</summary>
    public static JsonElement Json(params string[] args)
    {
        var (code, output, err) = Run(args);
        Assert.True(code == 0, err);
        return JsonDocument.Parse(output).RootElement;
    }
}
