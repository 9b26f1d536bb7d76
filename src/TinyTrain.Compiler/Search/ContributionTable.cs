using System.Collections.Immutable;

namespace TinyTrain.Compiler.Search;

/// <summary>What a run is scored by; a score is always "higher is better".</summary>
public enum ContributionMetric
{
    /// <summary>Held-out top-1 accuracy after training (a fraction), the paper's measure.</summary>
    Accuracy,

    /// <summary>
    /// Minus the mean training loss of the last epoch (nats). With one epoch at batch 1 every image is scored before
    /// the model trains on it, so this is an online held-out loss over all training images: a smoother signal than
    /// accuracy on a few hundred images.
    /// </summary>
    Loss,
}

/// <summary>The score of one weight-contribution run: the bias baseline plus the weights of one conv at one ratio.</summary>
public readonly record struct WeightContribution(int Conv, double Ratio, double Score);

/// <summary>
/// What a contribution analysis measured (paper-notes §2.7), as scores (<see cref="Metric"/>), and the gains derived
/// from them:
/// <list type="bullet">
/// <item>bias gain of k = score(head + biases of the last k convs) - score(head only), k = 1..<see cref="BiasScores"/>.Length;</item>
/// <item>weight gain of (conv i, ratio r) = score(bias baseline + weights of i at r) - score(bias baseline),
///   the bias baseline being the biases of the last <see cref="WeightBaselineBiasLayers"/> convs (a point of the bias curve).</item>
/// </list>
/// The search assumes the gains add up, as the paper does.
/// </summary>
public sealed record ContributionTable(
    ContributionMetric Metric, double HeadOnlyScore, ImmutableArray<double> BiasScores, int WeightBaselineBiasLayers, ImmutableArray<WeightContribution> Weights)
{
    public int BiasLayers => BiasScores.Length;

    public double BaselineScore => WeightBaselineBiasLayers == 0 ? HeadOnlyScore : BiasScores[WeightBaselineBiasLayers - 1];

    /// <summary>Gain of updating the biases of the last <paramref name="k"/> convs (0 for k = 0).</summary>
    public double BiasGain(int k) => k == 0 ? 0 : BiasScores[k - 1] - HeadOnlyScore;

    public double WeightGain(WeightContribution w) => w.Score - BaselineScore;

    /// <summary>The convs whose weights were analysed, ascending.</summary>
    public ImmutableArray<int> WeightConvs => [.. Weights.Select(w => w.Conv).Distinct().Order()];

    /// <summary>The ratios analysed, ascending.</summary>
    public ImmutableArray<double> Ratios => [.. Weights.Select(w => w.Ratio).Distinct().Order()];
}
