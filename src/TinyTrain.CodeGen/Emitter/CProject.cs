using System.Reflection;
using System.Text;
using TinyTrain.Compiler.Lowering;

namespace TinyTrain.CodeGen.Emitter;

/// <summary>
/// A generated C project: the model (model.h/.c, model_weights.h/.c), the runtime (tinytrain/), a driver (main.c) with
/// its host and Cortex-M boards, a linker script and a Makefile. Files are text keyed by relative path; the same
/// program and options always give the same files.
/// </summary>
public sealed class CProject
{
    private CProject(IReadOnlyDictionary<string, string> files, int arenaBytes)
    {
        Files = files;
        ArenaBytes = arenaBytes;
    }

    public IReadOnlyDictionary<string, string> Files { get; }

    public int ArenaBytes { get; }

    /// <summary>The runtime's folder inside the project.</summary>
    public const string RuntimeFolder = "tinytrain";

    public static CProject Emit(TrainingProgram training, CodegenOptions options)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, text) in new ModelWriter(training, options).Write()) files[name] = text;
        foreach (var (name, text) in CRuntime.Files) files[$"{RuntimeFolder}/{name}"] = text;
        foreach (var name in (string[])["board.h", "board_host.c", "cortex_m.c", "main.c", "Makefile"]) files[name] = Target(name);
        files["link.ld"] = Target("link.ld")
            .Replace("@FLASH_KB@", (options.FlashBytes / 1024).ToString(), StringComparison.Ordinal)
            .Replace("@RAM_KB@", (options.RamBytes / 1024).ToString(), StringComparison.Ordinal)
            .Replace("@STACK_BYTES@", options.StackBytes.ToString(), StringComparison.Ordinal);
        return new CProject(files, training.Program.ArenaBytes);
    }

    /// <summary>
    /// Writes every file under a folder (created if missing). Each file is written to a temporary name and moved into
    /// place, so an interrupted write never leaves a half file; other files in the folder are left alone.
    /// </summary>
    public IReadOnlyList<string> WriteTo(string directory)
    {
        var paths = new List<string>();
        foreach (var (name, text) in Files)
        {
            var path = Path.Combine(directory, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temporary = path + ".tmp";
            File.WriteAllText(temporary, text, new UTF8Encoding(false));
            File.Move(temporary, path, overwrite: true);
            paths.Add(path);
        }
        return paths;
    }

    private static string Target(string name)
    {
        var assembly = typeof(CProject).Assembly;
        using var stream = assembly.GetManifestResourceStream($"TinyTrain.CodeGen.Target.{name}")
            ?? throw new InvalidOperationException($"missing embedded resource Target/{name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
