using System.Collections.Immutable;
using System.Globalization;
using TinyTrain.Compiler.Autodiff;
using TinyTrain.Compiler.Search;
using TinyTrain.Compiler.Sparse;
using TinyTrain.Runtime.Training;

namespace TinyTrain.Runtime.Contribution;

/// <summary>
/// How a contribution analysis trains: every run fine-tunes on the same <see cref="TrainExamples"/> images (the first
/// after the seeded shuffle, in the same order) and is scored on the same <see cref="ValidationExamples"/> held-out
/// images, so two runs differ only in what they update (common random numbers: the gains are differences of paired runs).
/// </summary>
public sealed record ContributionSettings
{
    public int TrainExamples { get; init; } = 400;
    public int ValidationExamples { get; init; } = 500;

    /// <summary>The bias curve covers k = 1..this (null: every backbone conv).</summary>
    public int? BiasConvs { get; init; }

    /// <summary>Weights of the last this many convs are analysed (null: the later half of the backbone, where the paper's schemes train).</summary>
    public int? WeightConvs { get; init; }

    public ImmutableArray<double> Ratios { get; init; } = [0.125, 0.25, 0.5, 1];

    /// <summary>What the table scores runs by. Not part of the cache key: both metrics come from the same runs.</summary>
    public ContributionMetric Metric { get; init; } = ContributionMetric.Accuracy;

    /// <summary>Seeds averaged (seed, seed+1, ...): each its own data sample and order, so noise averages out at a cost.</summary>
    public int Repeats { get; init; } = 1;

    public TrainingOptions Training { get; init; } = new(10);
    public TrainerOptions Trainer { get; init; } = new();

    /// <summary>SGD's momentum (0: plain SGD), compiled into each run's program.</summary>
    public float Momentum { get; init; }
    public bool Fp32 { get; init; }

    /// <summary>Runs at once, one core each (batch 1 keeps a run on one core).</summary>
    public int Jobs { get; init; } = Environment.ProcessorCount;

    public int BiasConvsFor(ConvIndex index) => Math.Clamp(BiasConvs ?? index.Count, 0, index.Count);

    public int WeightConvsFor(ConvIndex index) => Math.Clamp(WeightConvs ?? index.Count / 2, 0, BiasConvsFor(index));

    public IEnumerable<ulong> Seeds => Enumerable.Range(0, Math.Max(1, Repeats)).Select(i => Trainer.Seed + (ulong)i);

    /// <summary>
    /// Everything a single run's result depends on besides the model, the data and its scheme: part of the cache key.
    /// v2: runs build the head for the features' rms and encode images for the model's input type (issue 16).
    /// </summary>
    public string RunSettingsText()
    {
        var t = Trainer;
        return string.Create(CultureInfo.InvariantCulture,
            $"v2;train={TrainExamples};val={ValidationExamples};epochs={t.Epochs};batch={t.BatchSize};lr={t.LearningRate:R};momentum={Momentum:R};" +
            $"warmup={t.WarmupEpochs:R};augment={t.Augment};classes={Training.Classes};head={Training.Head};qas={Training.Qas};policy={Training.Policy};fp32={Fp32}");
    }
}
