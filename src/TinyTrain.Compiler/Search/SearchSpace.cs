using System.Collections.Immutable;
using TinyTrain.Compiler.Sparse;

namespace TinyTrain.Compiler.Search;

/// <summary>One searchable conv: its ratios (choice 1..n; choice 0 = weights frozen), the gain and the additive cost of each.</summary>
public sealed record SearchLayer(int Conv, ImmutableArray<double> Ratios, ImmutableArray<double> Gains, ImmutableArray<long> Costs);

/// <summary>
/// A point of the search space: the biases of the last <see cref="BiasLayers"/> convs and one choice per
/// <see cref="SearchSpace.Layers"/> entry (0 = frozen, c = ratio c-1 of that layer).
/// </summary>
public readonly record struct Candidate(int BiasLayers, ImmutableArray<int> Choices)
{
    public bool Equals(Candidate other) => BiasLayers == other.BiasLayers && Choices.AsSpan().SequenceEqual(other.Choices.AsSpan());

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(BiasLayers);
        foreach (var c in Choices) hash.Add(c);
        return hash.ToHashCode();
    }

    /// <summary>"k=22 [0,0,4,...]": stable text for tie-breaks and logs.</summary>
    public override string ToString() => $"k={BiasLayers} [{string.Join(",", Choices)}]";
}

/// <summary>
/// The additive problem of paper-notes §2.7: maximise bias gain(k) + the sum of the chosen weight gains, subject to a
/// memory budget, where a weight may be trained only inside the bias range (conv &gt;= ConvCount - k). Costs are in
/// any integer unit (the analytic model's bits here); <see cref="BiasCosts"/>[k] is the fixed part of a scheme with k
/// bias layers (the head included), each layer option adds its own cost.
/// </summary>
public sealed class SearchSpace
{
    public SearchSpace(int convCount, ImmutableArray<double> biasGains, ImmutableArray<long> biasCosts, ImmutableArray<SearchLayer> layers)
    {
        if (biasGains.Length != biasCosts.Length || biasGains.Length == 0) throw new ArgumentException("one bias gain and cost per k = 0..max, at least k = 0");
        if (biasGains.Length - 1 > convCount) throw new ArgumentException($"bias range {biasGains.Length - 1} exceeds the {convCount} convs");
        for (var i = 1; i < layers.Length; i++)
        {
            if (layers[i].Conv <= layers[i - 1].Conv) throw new ArgumentException("layers must be sorted by conv index, each once");
        }
        ConvCount = convCount;
        BiasGains = biasGains;
        BiasCosts = biasCosts;
        Layers = layers;
    }

    public int ConvCount { get; }
    public int MaxBiasLayers => BiasGains.Length - 1;
    public ImmutableArray<double> BiasGains { get; }
    public ImmutableArray<long> BiasCosts { get; }
    public ImmutableArray<SearchLayer> Layers { get; }

    /// <summary>Whether layer <paramref name="layer"/> lies inside the range of <paramref name="biasLayers"/> biases.</summary>
    public bool InRange(int layer, int biasLayers) => Layers[layer].Conv >= ConvCount - biasLayers;

    public double Gain(Candidate c)
    {
        var gain = BiasGains[c.BiasLayers];
        for (var i = 0; i < Layers.Length; i++)
        {
            if (c.Choices[i] > 0) gain += Layers[i].Gains[c.Choices[i] - 1];
        }
        return gain;
    }

    public long AdditiveCost(Candidate c)
    {
        var cost = BiasCosts[c.BiasLayers];
        for (var i = 0; i < Layers.Length; i++)
        {
            if (c.Choices[i] > 0) cost += Layers[i].Costs[c.Choices[i] - 1];
        }
        return cost;
    }

    /// <summary>Well formed: k in range, every choice valid, no weight outside the bias range.</summary>
    public bool IsValid(Candidate c)
    {
        if (c.BiasLayers < 0 || c.BiasLayers > MaxBiasLayers || c.Choices.Length != Layers.Length) return false;
        for (var i = 0; i < Layers.Length; i++)
        {
            if (c.Choices[i] < 0 || c.Choices[i] > Layers[i].Ratios.Length) return false;
            if (c.Choices[i] > 0 && !InRange(i, c.BiasLayers)) return false;
        }
        return true;
    }

    /// <summary>Head only: no bias, no weight.</summary>
    public Candidate Empty => new(0, [.. new int[Layers.Length]]);

    public UpdateScheme ToScheme(Candidate c, string name) =>
        new(name, c.BiasLayers, [.. Layers.Select((l, i) => (l, i)).Where(x => c.Choices[x.i] > 0)
            .Select(x => new WeightUpdate(x.l.Conv, x.l.Ratios[c.Choices[x.i] - 1]))]);

    /// <summary>
    /// The space of a measured <paramref name="table"/> with the paper's analytic memory model as the additive cost,
    /// in bits: the head's input, the mask and bias of every conv in the bias range, the saved input and SRAM weight
    /// copy of every trained weight (<see cref="AnalyticMemory"/>; a test checks the sums agree).
    /// </summary>
    public static SearchSpace Analytic(ContributionTable table, ConvIndex index)
    {
        var head = index.Classifier ?? throw new SchemeException($"{index.Graph.Name} has no classifier head to train");
        var gains = ImmutableArray.CreateBuilder<double>();
        var costs = ImmutableArray.CreateBuilder<long>();
        var fixedBits = (long)AnalyticMemory.ActivationBits * head.InChannels;
        for (var k = 0; k <= table.BiasLayers; k++)
        {
            if (k > 0)
            {
                var conv = index[index.Count - k];
                fixedBits += AnalyticMemory.MaskBits * conv.OutputElements + (long)AnalyticMemory.BiasBits * conv.OutChannels;
            }
            gains.Add(table.BiasGain(k));
            costs.Add(fixedBits);
        }
        var layers = ImmutableArray.CreateBuilder<SearchLayer>();
        foreach (var conv in table.WeightConvs)
        {
            var info = index[conv];
            var rows = table.Weights.Where(w => w.Conv == conv).OrderBy(w => w.Ratio).ToList();
            layers.Add(new SearchLayer(conv, [.. rows.Select(w => w.Ratio)], [.. rows.Select(table.WeightGain)],
                [.. rows.Select(w => WeightBits(info, w.Ratio))]));
        }
        return new SearchSpace(index.Count, gains.ToImmutable(), costs.ToImmutable(), layers.ToImmutable());
    }

    private static long WeightBits(ConvInfo conv, double ratio)
    {
        var k = conv.KeptChannels(ratio);
        var copy = conv.IsDepthwise ? (long)k * conv.KernelTaps : (long)conv.OutChannels * k * conv.KernelTaps;
        return AnalyticMemory.ActivationBits * conv.InputSpatial * k + AnalyticMemory.WeightBits * copy;
    }
}
