using System.Collections.Immutable;

namespace TinyTrain.Compiler.Sparse;

/// <summary>
/// The 15 sparse-update schemes shipped with the paper (REPO <c>compilation/mcu_ir_gen.py</c>; paper-notes §2.5),
/// keyed by model and budget label. Entries with ratio 0 in the upstream table are dropped (they update nothing).
/// </summary>
public static class PaperSchemes
{
    public static readonly IReadOnlyList<string> Models = ["mcunet-5fps", "mbv2-w0.35", "proxyless-w0.3"];

    private const double All = 1, Half = 0.5, Quarter = 0.25, Eighth = 0.125;

    private static readonly Dictionary<string, (string Budget, int Bias, (int Conv, double Ratio)[] Weights)[]> Table = new()
    {
        ["mcunet-5fps"] =
        [
            ("49kb", 20, [(24, Quarter), (27, Half), (30, Half)]),
            ("74kb", 21, [(21, All), (24, All), (27, Half), (30, All)]),
            ("99kb", 22, [(21, All), (24, All), (27, All), (30, All), (36, Eighth), (39, Quarter)]),
            ("124kb", 24, [(21, Quarter), (24, All), (27, All), (30, All), (33, Half), (39, Half)]),
            ("148kb", 23, [(21, All), (24, All), (27, All), (30, All), (36, All), (39, Half)]),
        ],
        ["mbv2-w0.35"] =
        [
            ("49kb", 16, [(36, All), (39, All), (41, Quarter), (42, Eighth), (45, Eighth), (48, Eighth), (49, Eighth)]),
            ("73kb", 20, [(32, Eighth), (33, Half), (36, Half), (39, All), (41, Quarter), (42, Eighth), (45, Eighth), (48, All)]),
            ("99kb", 25, [(27, All), (30, All), (33, All), (36, All), (39, All), (42, Eighth), (45, Half), (48, All)]),
            ("123kb", 31, [(27, All), (30, All), (33, All), (36, All), (39, All), (42, Half), (45, All), (48, All)]),
            ("138kb", 34, [(27, All), (30, All), (33, All), (36, All), (39, All), (42, All), (45, All), (48, All)]),
        ],
        ["proxyless-w0.3"] =
        [
            ("49kb", 21, [(39, Quarter), (42, All), (45, All), (51, Eighth), (54, Quarter), (57, Quarter)]),
            ("74kb", 28, [(33, Half), (36, Quarter), (39, All), (42, All), (45, All), (51, Half), (54, Quarter), (57, Half)]),
            ("98kb", 25, [(36, All), (39, Half), (42, All), (45, All), (48, Quarter), (51, Half), (54, All), (57, All)]),
            ("120kb", 32, [(36, All), (39, All), (42, All), (45, All), (48, Half), (51, All), (54, All), (57, All)]),
            ("148kb", 45, [(36, All), (39, All), (42, All), (45, All), (48, All), (51, All), (54, All), (57, All)]),
        ],
    };

    /// <summary>The budget labels of <paramref name="model"/> in table order ("49kb", "74kb", ...); empty for other models.</summary>
    public static IReadOnlyList<string> Budgets(string model) =>
        Table.TryGetValue(model, out var rows) ? [.. rows.Select(r => r.Budget)] : [];

    /// <summary>Every (model, budget) pair, 15 in all.</summary>
    public static IEnumerable<(string Model, string Budget)> AllSchemes() =>
        Table.SelectMany(kv => kv.Value.Select(r => (kv.Key, r.Budget)));

    /// <summary>The scheme named <c>paper:BUDGET</c> (case-insensitive) of <paramref name="model"/>, or null.</summary>
    public static UpdateScheme? TryGet(string model, string budget)
    {
        if (!Table.TryGetValue(model, out var rows)) return null;
        foreach (var (label, bias, weights) in rows)
        {
            if (string.Equals(label, budget, StringComparison.OrdinalIgnoreCase))
                return new UpdateScheme("paper:" + label, bias, [.. weights.Select(w => new WeightUpdate(w.Conv, w.Ratio))]);
        }
        return null;
    }
}
