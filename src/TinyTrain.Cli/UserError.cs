namespace TinyTrain.Cli;

/// <summary>
/// Which exceptions are the user's problem (a one-line message) and which are our bugs. A <see cref="UserException"/> is
/// raised by an explicit check and says what is wrong; the operating system's file errors (a missing file, a full or
/// read-only disk) name the path; anything else is a bug in TinyTrain, which <see cref="Bug"/> says with its trace.
/// </summary>
public static class UserError
{
    public static string? Describe(Exception e) => e switch
    {
        UserException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or IOException => OneLine(e.Message),
        _ => null,
    };

    /// <summary>The report of an exception that is not the user's problem: our bug, said as such, with what to send us.</summary>
    public static string Bug(Exception e) =>
        $"internal error (a bug in TinyTrain, not in your input; please report it with the command and this trace): {e.GetType().Name}: {OneLine(e.Message)}"
        + Environment.NewLine + e.StackTrace;

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}

/// <summary>A bad combination of command-line arguments.</summary>
public sealed class UsageException(string message) : UserException(ErrorCode.Usage, message);
