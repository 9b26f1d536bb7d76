namespace TinyTrain.Tests.Runtime;

/// <summary>Real photos with known ImageNet classes, from Debian's python3-skimage (unpacked by scripts/setup.sh).</summary>
public static class Photos
{
    private static string Folder
    {
        get
        {
            var cache = Environment.GetEnvironmentVariable("TINYTRAIN_CACHE")
                ?? Path.Combine(Environment.GetEnvironmentVariable("XDG_CACHE_HOME") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "tinytrain");
            var folder = Path.Combine(cache, "skimage", "usr", "lib", "python3", "dist-packages", "skimage", "data");
            return Directory.Exists(folder) ? folder : throw new DirectoryNotFoundException($"{folder} is missing: run scripts/setup.sh (it unpacks Debian's python3-skimage sample photos)");
        }
    }

    public static string Chelsea => Path.Combine(Folder, "chelsea.png");
    public static string Coffee => Path.Combine(Folder, "coffee.png");
}
