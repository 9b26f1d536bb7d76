using System.Collections.Frozen;
using System.Reflection;

namespace TinyTrain.CodeGen;

/// <summary>
/// The C runtime of emitted programs: the reference kernels of TinyTrain.Kernels ported to C99, bit for bit
/// (<see cref="Header"/> declares them; one <c>.c</c> file per kernel type). Compile it with
/// <see cref="RequiredFlags"/>: the float results match the host only without FMA contraction and fast-math.
/// </summary>
public static class CRuntime
{
    private const string ResourcePrefix = "TinyTrain.CodeGen.Runtime.";

    /// <summary>The one header: parameter structs and prototypes.</summary>
    public const string Header = "tinytrain.h";

    /// <summary>What the kernels share (requantisation, fixed-point arithmetic, mask bits); it includes <see cref="Header"/>.</summary>
    public const string InternalHeader = "tinytrain_internal.h";

    /// <summary>The flags without which the C does not compute what the host computes.</summary>
    public static IReadOnlyList<string> RequiredFlags { get; } = ["-std=c99", "-ffp-contract=off"];

    /// <summary>File name (no folder) to text, for every file of the runtime.</summary>
    public static IReadOnlyDictionary<string, string> Files { get; } = Load();

    /// <summary>The <c>.c</c> files, in name order.</summary>
    public static IReadOnlyList<string> Sources { get; } = [.. Files.Keys.Where(name => name.EndsWith(".c", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];

    /// <summary>Writes every file of the runtime into a folder (created if missing) and returns their paths.</summary>
    public static IReadOnlyList<string> WriteTo(string directory)
    {
        Directory.CreateDirectory(directory);
        var paths = new List<string>();
        foreach (var (name, text) in Files.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            string path = Path.Combine(directory, name);
            File.WriteAllText(path, text);
            paths.Add(path);
        }

        return paths;
    }

    private static FrozenDictionary<string, string> Load()
    {
        var assembly = typeof(CRuntime).Assembly;
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string resource in assembly.GetManifestResourceNames().Where(name => name.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            files[resource[ResourcePrefix.Length..]] = Read(assembly, resource);
        }

        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"missing embedded resource {resource}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
