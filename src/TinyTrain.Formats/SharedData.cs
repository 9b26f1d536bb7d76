namespace TinyTrain.Formats;

/// <summary>
/// Finds the project's shared data folder (models and datasets are read in place, never copied):
/// TINYTRAIN_DATA if set, else the first `shared/data` found walking up from the working directory and from
/// the executable's directory.
/// </summary>
public static class SharedData
{
    public const string EnvironmentVariable = "TINYTRAIN_DATA";

    public static string? TryFind()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } env && Directory.Exists(env)) return Path.GetFullPath(env);
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "data");
                if (Directory.Exists(candidate)) return candidate;
            }
        }
        return null;
    }

    public static string Find() => TryFind()
        ?? throw new FileNotFoundException($"cannot find the shared data folder (shared/data above the working directory); set {EnvironmentVariable}");
}
