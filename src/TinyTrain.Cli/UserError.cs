using TinyTrain.Compiler;
using TinyTrain.Compiler.Sparse;
using TinyTrain.Data;
using TinyTrain.Formats;
using TinyTrain.Formats.Pickle;
using TinyTrain.Formats.Tflite;
using TinyTrain.Runtime.Training;

namespace TinyTrain.Cli;

/// <summary>Which exceptions are the user's problem (a one-line message), as opposed to our bugs (a stack trace).</summary>
public static class UserError
{
    public static string? Describe(Exception e) => e switch
    {
        ModelFormatException or PickleFormatException or TfliteFormatException or DataFormatException
            or CompilationException or SchemeException or TrainingDivergedException or InvalidDataException or FileNotFoundException or DirectoryNotFoundException or UsageException
            or TinyTrain.CodeGen.Device.DeviceToolException
            => OneLine(e.Message),
        UnauthorizedAccessException or IOException => OneLine(e.Message),
        _ => null,
    };

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}

/// <summary>A bad combination of command-line arguments.</summary>
public sealed class UsageException(string message) : Exception(message);
