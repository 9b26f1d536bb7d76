using System.Collections.Immutable;

namespace TinyTrain.Compiler.Search;

/// <summary>The held-out accuracy of one weight-contribution run: the bias baseline plus the weights of one conv at one ratio.</summary>
public readonly record struct WeightContribution(int Conv, double Ratio, double Accuracy);

/// <summary>
/// What a contribution analysis measured (paper-notes §2.7), as held-out accuracies in [0, 1], and the gains
/// derived from them:
/// <list type="bullet">
/// <item>bias gain of k = accuracy(head + biases of the last k convs) - accuracy(head only), k = 1..<see cref="BiasAccuracy"/>.Length;</item>
/// <item>weight gain of (conv i, ratio r) = accuracy(bias baseline + weights of i at r) - accuracy(bias baseline),
///   the bias baseline being the biases of the last <see cref="WeightBaselineBiasLayers"/> convs (a point of the bias curve).</item>
/// </list>
/// The search assumes the gains add up, as the paper does.
/// </summary>
public sealed record ContributionTable(
    double HeadOnlyAccuracy, ImmutableArray<double> BiasAccuracy, int WeightBaselineBiasLayers, ImmutableArray<WeightContribution> Weights)
{
    public int BiasLayers => BiasAccuracy.Length;

    public double BaselineAccuracy => WeightBaselineBiasLayers == 0 ? HeadOnlyAccuracy : BiasAccuracy[WeightBaselineBiasLayers - 1];

    /// <summary>Gain of updating the biases of the last <paramref name="k"/> convs (0 for k = 0).</summary>
    public double BiasGain(int k) => k == 0 ? 0 : BiasAccuracy[k - 1] - HeadOnlyAccuracy;

    public double WeightGain(WeightContribution w) => w.Accuracy - BaselineAccuracy;

    /// <summary>The convs whose weights were analysed, ascending.</summary>
    public ImmutableArray<int> WeightConvs => [.. Weights.Select(w => w.Conv).Distinct().Order()];

    /// <summary>The ratios analysed, ascending.</summary>
    public ImmutableArray<double> Ratios => [.. Weights.Select(w => w.Ratio).Distinct().Order()];

    public double? Accuracy(int conv, double ratio)
    {
        foreach (var w in Weights)
        {
            if (w.Conv == conv && w.Ratio == ratio) return w.Accuracy;
        }
        return null;
    }
}
