using System.Globalization;
using System.Text;
using System.Text.Json;
using TinyTrain.Ir;

namespace TinyTrain.Compiler.Sparse;

/// <summary>
/// The scheme file format, read and written:
/// <code>{"name": "mine", "biasLayers": 22, "weights": [{"conv": 21, "ratio": 1}, {"layer": "blocks.12.pointwise1", "ratio": 0.25}]}</code>
/// A weight names its conv by index (<c>conv</c>, from the input, classifier excluded) or by node name (<c>layer</c>),
/// or both (they must agree). <c>ratio</c> is a number in (0, 1] or a string fraction ("1/8"); omitted = 1.
/// <c>biasLayers</c> is a count or "all"; omitted = the smallest range that covers every weight. <c>name</c>
/// defaults to the file name.
/// </summary>
public static class SchemeJson
{
    public static UpdateScheme Read(string path, Graph graph) => Read(path, ConvIndex.Of(graph));

    public static UpdateScheme Read(string path, ConvIndex index)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SchemeException($"{path}: cannot read the scheme file: {OneLine(e.Message)}");
        }
        return Parse(text, path, index);
    }

    /// <summary>Parses scheme JSON; <paramref name="source"/> names the text in error messages.</summary>
    public static UpdateScheme Parse(string json, string source, ConvIndex index)
    {
        UpdateScheme scheme;
        try
        {
            using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            scheme = FromElement(doc.RootElement, source, index);
        }
        catch (JsonException e)
        {
            throw new SchemeException($"{source}: not valid scheme JSON: {OneLine(e.Message)}");
        }
        try
        {
            return scheme.Validate(index);
        }
        catch (SchemeException e)
        {
            throw new SchemeException($"{source}: {e.Message}");
        }
    }

    private static UpdateScheme FromElement(JsonElement root, string source, ConvIndex index)
    {
        if (root.ValueKind != JsonValueKind.Object) throw Bad(source, $"expected a JSON object, found {root.ValueKind}");
        var name = Path.GetFileNameWithoutExtension(source);
        int? biasLayers = null;
        var weights = new List<WeightUpdate>();
        foreach (var property in root.EnumerateObject())
        {
            switch (property.Name)
            {
                case "name" when property.Value.ValueKind == JsonValueKind.String:
                    name = property.Value.GetString()!;
                    break;
                case "biasLayers" when property.Value.ValueKind == JsonValueKind.String && property.Value.GetString() == "all":
                    biasLayers = index.Count;
                    break;
                case "biasLayers" when property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetInt32(out var n):
                    biasLayers = n;
                    break;
                case "weights" when property.Value.ValueKind == JsonValueKind.Array:
                    foreach (var entry in property.Value.EnumerateArray()) weights.Add(Weight(entry, source, index));
                    break;
                case "name" or "biasLayers" or "weights":
                    throw Bad(source, $"'{property.Name}' has the wrong type ({property.Value.ValueKind}); expected {Expected(property.Name)}");
                default:
                    throw Bad(source, $"unknown key '{property.Name}'; expected name, biasLayers, weights");
            }
        }
        var bias = biasLayers ?? (weights.Count == 0 ? 0 : index.Count - weights.Min(w => w.ConvIndex));
        return new UpdateScheme(name, bias, [.. weights.OrderBy(w => w.ConvIndex)]);
    }

    private static WeightUpdate Weight(JsonElement entry, string source, ConvIndex index)
    {
        if (entry.ValueKind != JsonValueKind.Object) throw Bad(source, "each weight must be an object like {\"conv\": 21, \"ratio\": 1}");
        int? conv = null;
        string? layer = null;
        var ratio = 1.0;
        foreach (var p in entry.EnumerateObject())
        {
            switch (p.Name)
            {
                case "conv" when p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetInt32(out var c):
                    if (c < 0 || c >= index.Count) throw Bad(source, $"unknown layer {c}; valid layers are {index.RangeText}");
                    conv = c;
                    break;
                case "layer" when p.Value.ValueKind == JsonValueKind.String:
                    layer = p.Value.GetString()!;
                    break;
                case "ratio":
                    ratio = Ratio(p.Value, source);
                    break;
                case "conv" or "layer":
                    throw Bad(source, $"'{p.Name}' has the wrong type ({p.Value.ValueKind}); expected {Expected(p.Name)}");
                default:
                    throw Bad(source, $"unknown weight key '{p.Name}'; expected conv or layer, and ratio");
            }
        }
        if (layer is not null)
        {
            var info = index.Find(layer) ?? throw Bad(source, $"unknown layer '{layer}'; valid layers are {index.RangeText}");
            if (conv is { } c && c != info.Index) throw Bad(source, $"conv {c} and layer '{layer}' (conv {info.Index}) disagree");
            conv = info.Index;
        }
        return new WeightUpdate(conv ?? throw Bad(source, "a weight needs \"conv\" (index) or \"layer\" (name)"), ratio);
    }

    private static double Ratio(JsonElement value, string source)
    {
        if (value.ValueKind == JsonValueKind.Number) return value.GetDouble();
        if (value.ValueKind == JsonValueKind.String && value.GetString()!.Split('/') is [var a, var b]
            && double.TryParse(a, NumberStyles.Float, CultureInfo.InvariantCulture, out var num)
            && double.TryParse(b, NumberStyles.Float, CultureInfo.InvariantCulture, out var den) && den != 0)
            return num / den;
        throw Bad(source, $"ratio {value.GetRawText()} is neither a number nor a fraction like \"1/8\"");
    }

    private static string Expected(string key) => key switch
    {
        "name" or "layer" => "a string",
        "biasLayers" => "an integer or \"all\"",
        "weights" => "an array",
        _ => "an integer",
    };

    private static SchemeException Bad(string source, string message) => new($"{source}: {message}");

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}

/// <summary>Writes a scheme in the <see cref="SchemeJson"/> format (each weight with both its index and its layer name).</summary>
public static class SchemeWriter
{
    public static string ToJson(UpdateScheme scheme, Graph graph) => ToJson(scheme, ConvIndex.Of(graph));

    public static string ToJson(UpdateScheme scheme, ConvIndex index)
    {
        scheme.Validate(index);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("name", scheme.Name);
            w.WriteNumber("biasLayers", scheme.BiasLayers);
            w.WriteStartArray("weights");
            foreach (var weight in scheme.Weights.OrderBy(x => x.ConvIndex))
            {
                w.WriteStartObject();
                w.WriteNumber("conv", weight.ConvIndex);
                w.WriteString("layer", index[weight.ConvIndex].Name);
                w.WriteNumber("ratio", weight.Ratio);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    public static void Write(UpdateScheme scheme, Graph graph, string path) => File.WriteAllText(path, ToJson(scheme, graph));
}
