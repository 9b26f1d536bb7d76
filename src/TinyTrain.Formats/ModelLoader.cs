using TinyTrain.Formats.Paper;
using TinyTrain.Formats.Tflite;
using TinyTrain.Ir;

namespace TinyTrain.Formats;

/// <summary>Loads a model given as a path (`.pkl` or `.tflite`, sniffed by content) or as one of the paper's names.</summary>
public static class ModelLoader
{
    public const string ModelsDirVariable = "TINYTRAIN_MODELS_DIR";

    public static readonly IReadOnlyList<string> PaperModels = ["mcunet-5fps", "mbv2-w0.35", "proxyless-w0.3"];

    public static Graph Load(string model, string? modelsDir = null)
    {
        var path = Resolve(model, modelsDir);
        var header = new byte[8];
        int read;
        using (var stream = File.OpenRead(path)) read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        if (read == 0) throw new ModelFormatException($"{path}: the file is empty");
        if (read >= 2 && header[0] == (byte)'P' && header[1] == (byte)'K') return PaperModelImporter.Import(path);
        if (read >= 8 && header[4] == (byte)'T' && header[5] == (byte)'F' && header[6] == (byte)'L') return TfliteImporter.Import(path);
        throw new ModelFormatException($"{path}: not a .tflite flatbuffer (no TFL3 identifier) nor a tiny-training .pkl (not a zip archive)");
    }

    /// <summary>The file a model argument names: an existing path, or a paper model name in the models folder.</summary>
    public static string Resolve(string model, string? modelsDir = null)
    {
        if (File.Exists(model)) return Path.GetFullPath(model);
        var name = model.EndsWith(".pkl", StringComparison.Ordinal) ? model[..^4] : model;
        if (PaperModels.Contains(name))
        {
            var dir = modelsDir
                ?? (Environment.GetEnvironmentVariable(ModelsDirVariable) is { Length: > 0 } env ? env : null)
                ?? (SharedData.TryFind() is { } data ? Path.Combine(data, "tiny-training", "mcu_models") : null);
            var candidate = dir is null ? null : Path.Combine(dir, name + ".pkl");
            if (candidate is not null && File.Exists(candidate)) return candidate;
            throw new FileNotFoundException($"model '{name}' not found in {dir ?? "(no models folder)"}; pass --models-dir or set {ModelsDirVariable}");
        }
        throw new FileNotFoundException($"model '{model}' not found: not a file, and not one of {string.Join(", ", PaperModels)}");
    }
}
