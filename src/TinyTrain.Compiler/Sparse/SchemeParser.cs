using System.Globalization;
using TinyTrain.Ir;

namespace TinyTrain.Compiler.Sparse;

/// <summary>
/// Turns a <c>--scheme</c> argument into a validated <see cref="UpdateScheme"/> (design.md §6). Accepted forms,
/// keywords case-insensitive: <c>paper:BUDGET</c> (the 15 shipped schemes, paper-notes §2.5), <c>full</c>,
/// <c>bias-only</c>, <c>head-only</c>, <c>last:N</c>, or a path to a scheme JSON file (<see cref="SchemeJson"/>).
/// User errors throw <see cref="SchemeException"/> with a one-line message.
/// </summary>
public static class SchemeParser
{
    public const string AcceptedForms =
        "paper:BUDGET (e.g. paper:99kb), full, bias-only, head-only, last:N, or a scheme .json file";

    public static UpdateScheme Parse(string spec, Graph graph) => Parse(spec, ConvIndex.Of(graph));

    public static UpdateScheme Parse(string spec, ConvIndex index)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var text = spec.Trim();
        var lower = text.ToLowerInvariant();
        var count = index.Count;
        UpdateScheme scheme;
        if (lower.StartsWith("paper:", StringComparison.Ordinal)) scheme = Paper(text, text[6..].Trim(), index.Graph.Name);
        else if (lower == "full") scheme = new UpdateScheme("full", count, [.. Enumerable.Range(0, count).Select(i => new WeightUpdate(i, 1))]);
        else if (lower == "bias-only") scheme = new UpdateScheme("bias-only", count, []);
        else if (lower == "head-only") scheme = new UpdateScheme("head-only", 0, []);
        else if (lower.StartsWith("last:", StringComparison.Ordinal)) scheme = Last(text, text[5..].Trim(), index);
        else if (File.Exists(text)) return SchemeJson.Read(text, index);
        else if (lower.EndsWith(".json", StringComparison.Ordinal)) throw new SchemeException($"scheme file '{text}' not found");
        else throw new SchemeException($"unknown scheme '{text}'; expected {AcceptedForms}");
        return scheme.Validate(index);
    }

    private static UpdateScheme Paper(string spec, string budget, string model)
    {
        var key = PaperSchemes.Models.FirstOrDefault(m => string.Equals(m, model, StringComparison.OrdinalIgnoreCase));
        if (key is null)
            throw new SchemeException($"'{spec}': paper schemes exist only for {string.Join(", ", PaperSchemes.Models)} (this model is '{model}')");
        return PaperSchemes.TryGet(key, budget)
            ?? throw new SchemeException($"'{spec}': {key} has no paper scheme '{budget}'; valid: {string.Join(", ", PaperSchemes.Budgets(key).Select(b => "paper:" + b))}");
    }

    private static UpdateScheme Last(string spec, string number, ConvIndex index)
    {
        var count = index.Count;
        if (!int.TryParse(number, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < 1 || n > count)
            throw new SchemeException(count == 0
                ? $"'{spec}': {index.Graph.Name} has no backbone conv to train"
                : $"'{spec}': N must be an integer in 1..{count} ({index.Graph.Name} has {count} backbone convs)");
        return new UpdateScheme($"last:{n}", n, [.. Enumerable.Range(count - n, n).Select(i => new WeightUpdate(i, 1))]);
    }
}
