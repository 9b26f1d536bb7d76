namespace TinyTrain.Tests;

/// <summary>Locates the shared data folder: env TINYTRAIN_DATA, else the first "shared/data" above the test binaries.</summary>
public static class TestData
{
    static readonly Lazy<string> _root = new(Find);

    public static string Root => _root.Value;

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    static string Find()
    {
        string? env = Environment.GetEnvironmentVariable("TINYTRAIN_DATA");
        if (!string.IsNullOrEmpty(env)) return System.IO.Path.GetFullPath(env);
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
        {
            string candidate = System.IO.Path.Combine(d.FullName, "shared", "data");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException(
            $"no shared/data folder above {AppContext.BaseDirectory}; set TINYTRAIN_DATA");
    }
}
