using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace TinyTrain.Runtime.Contribution;

/// <summary>
/// Finished contribution runs on disk, one small JSON file per run in a folder named by the analysis key, each
/// written to a temporary file and moved into place: an interrupted analysis leaves only whole results, and the
/// next one runs only what is missing. Two processes sharing a folder at worst repeat a run.
/// </summary>
public sealed class RunCache
{
    public const string Variable = "TINYTRAIN_CACHE";

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public RunCache(string directory)
    {
        Directory = directory;
        System.IO.Directory.CreateDirectory(directory);
    }

    public string Directory { get; }

    /// <summary>TINYTRAIN_CACHE, else $XDG_CACHE_HOME/tinytrain, else ~/.cache/tinytrain.</summary>
    public static string DefaultRoot()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } env) return env;
        if (Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg) return Path.Combine(xdg, "tinytrain");
        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "tinytrain");
    }

    /// <summary>The folder of one analysis: root/contrib/key.</summary>
    public static RunCache For(string root, string key) => new(Path.Combine(root, "contrib", key));

    public RunResult? TryGet(string id)
    {
        var path = PathOf(id);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<RunResult>(File.ReadAllText(path), JsonOptions);
        }
        catch (JsonException)
        {
            return null; // a damaged entry is simply run again
        }
    }

    public void Save(string id, RunResult result)
    {
        var path = PathOf(id);
        var temporary = $"{path}.{Environment.ProcessId}.{Environment.CurrentManagedThreadId}.tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(result, JsonOptions));
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>A human-readable note of what the folder holds (written once, atomically).</summary>
    public void Describe(string text)
    {
        var path = Path.Combine(Directory, "settings.txt");
        if (File.Exists(path)) return;
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        File.WriteAllText(temporary, text);
        File.Move(temporary, path, overwrite: true);
    }

    public int Count => System.IO.Directory.EnumerateFiles(Directory, "*.json").Count();

    private string PathOf(string id) => Path.Combine(Directory, id + ".json");

    /// <summary>First 16 hex digits of SHA-256 over the parts, each length-prefixed so no two lists collide.</summary>
    public static string Hash(IEnumerable<byte[]> parts)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var part in parts)
        {
            sha.AppendData(BitConverter.GetBytes((long)part.Length));
            sha.AppendData(part);
        }
        return Convert.ToHexString(sha.GetHashAndReset())[..16].ToLowerInvariant();
    }

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
