using System.Collections.Immutable;
using System.Globalization;

namespace TinyTrain.Compiler.Sparse;

/// <summary>
/// Weights of one backbone conv are trained on a fraction of its input channels (depthwise: of its channels).
/// <paramref name="ConvIndex"/> counts from the input, 0-based, classifier excluded (the paper's
/// <c>manual_weight_idx</c>); <paramref name="Ratio"/> is in (0, 1].
/// </summary>
public readonly record struct WeightUpdate(int ConvIndex, double Ratio)
{
    public override string ToString() => $"{ConvIndex}:{SchemeText.Ratio(Ratio)}";
}

/// <summary>
/// A sparse-update scheme (paper-notes §2.5): the biases of the last <see cref="BiasLayers"/> backbone convs,
/// the weights listed in <see cref="Weights"/>, and always the new classifier head (weights and bias), which is
/// outside the conv index space. Every weight-updated conv must lie inside the bias range (<see cref="Validate"/>).
/// </summary>
public sealed record UpdateScheme(string Name, int BiasLayers, ImmutableArray<WeightUpdate> Weights)
{
    public ImmutableArray<WeightUpdate> Weights { get; init; } = Weights.IsDefault ? [] : Weights;

    public WeightUpdate? WeightOf(int convIndex)
    {
        foreach (var w in Weights)
        {
            if (w.ConvIndex == convIndex) return w;
        }
        return null;
    }

    /// <summary>The scheme's weights sorted by conv index (the order every consumer uses).</summary>
    public UpdateScheme Normalized() => this with { Weights = [.. Weights.OrderBy(w => w.ConvIndex)] };

    /// <summary>Throws <see cref="SchemeException"/> unless the scheme is well formed for <paramref name="index"/>.</summary>
    public UpdateScheme Validate(ConvIndex index)
    {
        if (BiasLayers < 0 || BiasLayers > index.Count)
            throw new SchemeException($"scheme '{Name}': biasLayers {BiasLayers} is outside 0..{index.Count} (the model has {index.Count} backbone convs)");
        var start = index.BiasStart(BiasLayers);
        var seen = new HashSet<int>();
        foreach (var w in Weights)
        {
            if (w.ConvIndex < 0 || w.ConvIndex >= index.Count)
                throw new SchemeException($"scheme '{Name}': conv {w.ConvIndex} does not exist; valid convs are {index.RangeText}");
            var name = index[w.ConvIndex].Name;
            if (!(w.Ratio > 0 && w.Ratio <= 1))
                throw new SchemeException($"scheme '{Name}': ratio {w.Ratio.ToString(CultureInfo.InvariantCulture)} of conv {w.ConvIndex} ({name}) is not in (0, 1]");
            if (!seen.Add(w.ConvIndex))
                throw new SchemeException($"scheme '{Name}': conv {w.ConvIndex} ({name}) is listed twice");
            if (w.ConvIndex < start)
                throw new SchemeException($"scheme '{Name}': weight layer {w.ConvIndex} ({name}) lies outside the bias range {SchemeText.BiasRange(index, BiasLayers)}; every weight-updated layer must also update its bias");
        }
        return this;
    }

    /// <summary>Value equality, including the weight list element by element.</summary>
    public bool Equals(UpdateScheme? other) =>
        other is not null && Name == other.Name && BiasLayers == other.BiasLayers && Weights.SequenceEqual(other.Weights);

    public override int GetHashCode() => HashCode.Combine(Name, BiasLayers, Weights.Length);

    public override string ToString() =>
        $"{Name}: biases of the last {BiasLayers} convs, weights [{string.Join(", ", Weights)}], head";
}

internal static class SchemeText
{
    public static string Ratio(double r) => r switch
    {
        1 => "1",
        0.5 => "1/2",
        0.25 => "1/4",
        0.125 => "1/8",
        _ => r.ToString("R", CultureInfo.InvariantCulture),
    };

    public static string BiasRange(ConvIndex index, int biasLayers) => biasLayers == 0
        ? "(empty: biasLayers is 0)"
        : $"{index.BiasStart(biasLayers)}..{index.Count - 1} (last {biasLayers} convs)";
}
