using TinyTrain.Formats;
using TinyTrain.Formats.Onnx;
using TinyTrain.Formats.Tflite;
using TinyTrain.Ir;

namespace TinyTrain.Cli;

/// <summary>Writes a graph as .tflite or ONNX (chosen by --format or the file's extension), atomically.</summary>
public static class ModelExport
{
    public static readonly string[] Formats = ["tflite", "onnx"];

    /// <param name="InexactInTflite">Ops TFLite computes with its own fixed point instead of the model's float32 numerics.</param>
    public sealed record Result(string Format, string Path, long Bytes, string Model, int[] InputShape, int[] OutputShape, int InexactInTflite);

    public static string FormatOf(string path, string? format)
    {
        if (format is not null) return format;
        var extension = System.IO.Path.GetExtension(path).TrimStart('.').ToLowerInvariant();
        return Formats.Contains(extension)
            ? extension
            : throw new UsageException($"cannot tell the format of '{path}' from its extension; pass --format tflite or --format onnx");
    }

    public static Result Write(Graph graph, string path, string? format)
    {
        format = FormatOf(path, format);
        var bytes = format == "onnx" ? OnnxExporter.Write(graph) : TfliteExporter.Write(graph);
        AtomicFile.WriteAllBytes(path, bytes);
        var inexact = format == "tflite" ? TfliteExporter.InexactOps(graph).Count : 0;
        return new Result(format, System.IO.Path.GetFullPath(path), bytes.Length, graph.Name, [.. graph.Input.Shape.Dims], [.. graph.Output.Shape.Dims], inexact);
    }

    /// <summary>One line for people: what was written, and the numerics caveat when there is one.</summary>
    public static string Describe(Result r) =>
        $"wrote {r.Path} ({r.Format}, {r.Bytes:N0} B): {r.Model} [{string.Join(",", r.InputShape)}] -> [{string.Join(",", r.OutputShape)}]"
        + (r.InexactInTflite > 0 ? $"; {r.InexactInTflite} ops use float32 requantisation or half-to-even pooling, which TFLite runs in its own fixed point (close, not bit-exact)" : "");
}
