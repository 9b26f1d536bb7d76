namespace TinyTrain.Tests;

/// <summary>A new folder under the system's temporary folder, deleted with everything in it on dispose.</summary>
public sealed class TemporaryFolder : IDisposable
{
    public TemporaryFolder(string prefix) => Path = Directory.CreateTempSubdirectory(prefix).FullName;

    public string Path { get; }

    /// <summary>The path of a file (or folder) inside the folder: its name, or the names down to it.</summary>
    public string File(params string[] names) => System.IO.Path.Combine([Path, .. names]);

    public void Dispose()
    {
        if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
    }
}
