using System.Globalization;
using TinyTrain.Compiler.Sparse;

namespace TinyTrain.Runtime.Contribution;

/// <summary>
/// One short fine-tuning run of the analysis: head only (k = 0), the biases of the last k convs, or the weight
/// baseline's biases plus the weights of one conv at one ratio. <see cref="Id"/> names its cache file.
/// </summary>
public sealed record ContributionRun(UpdateScheme Scheme, ulong Seed, int BiasLayers, int? Conv, double Ratio)
{
    public bool IsWeightRun => Conv is not null;

    public string Id => Conv is { } conv
        ? string.Create(CultureInfo.InvariantCulture, $"s{Seed}-b{BiasLayers}-w{conv}r{Ratio:R}")
        : string.Create(CultureInfo.InvariantCulture, $"s{Seed}-b{BiasLayers}");

    public static ContributionRun Bias(int k, ulong seed) =>
        new(new UpdateScheme(k == 0 ? "head-only" : $"bias:{k}", k, []), seed, k, null, 0);

    public static ContributionRun Weight(int baseline, int conv, double ratio, ulong seed) =>
        new(new UpdateScheme(string.Create(CultureInfo.InvariantCulture, $"bias:{baseline}+w{conv}:{ratio:R}"), baseline, [new WeightUpdate(conv, ratio)]),
            seed, baseline, conv, ratio);
}

/// <summary>What one run measured: held-out top-1 accuracy after training, the last epoch's mean training loss.</summary>
public sealed record RunResult(double Accuracy, double TrainLoss, bool Diverged, double Seconds);
