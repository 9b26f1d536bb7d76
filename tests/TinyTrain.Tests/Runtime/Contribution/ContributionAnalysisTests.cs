using System.Collections.Concurrent;
using TinyTrain.Compiler.Search;
using TinyTrain.Compiler.Sparse;
using TinyTrain.Data;
using TinyTrain.Runtime.Contribution;
using TinyTrain.Tests.Compiler.Sparse;

namespace TinyTrain.Tests.Runtime.Contribution;

public sealed class ContributionAnalysisTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), $"tinytrain-contrib-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    /// <summary>Twenty 4x4 grey images, two classes: enough for a data plan and a cache key, never trained on here.</summary>
    private sealed class TinyDataset(byte shade = 0) : LabelledDataset
    {
        public override string Name => "tiny";
        public override int Count => 20;
        public override string[] ClassNames => ["a", "b"];
        public override int Label(int index) => index % 2;
        public override Image8 LoadImage(int index) => new(4, 4, 1, [.. Enumerable.Repeat((byte)(index * 10 + shade), 16)]);
    }

    private static readonly ContributionSettings Settings = new() { TrainExamples = 10, ValidationExamples = 6, BiasConvs = 4, WeightConvs = 2, Jobs = 2 };

    /// <summary>A stand-in for training: an accuracy that depends only on the run, so results are checkable.</summary>
    private static RunResult Fake(ContributionRun run) =>
        new(0.5 + 0.01 * run.BiasLayers + (run.Conv is { } c ? 0.001 * (c - 39) * run.Ratio : 0), 1.0, false, 0);

    [Fact]
    public void The_runs_are_head_only_the_bias_curve_and_each_weight_at_each_ratio_on_the_last_biases()
    {
        var analysis = new ContributionAnalysis(SparseModels.Mcunet, new TinyDataset(), Settings);
        Assert.Equal(5 + 2 * 4, analysis.Runs.Count);
        Assert.Equal(["s1-b0", "s1-b1", "s1-b2", "s1-b3", "s1-b4"], analysis.Runs.Take(5).Select(r => r.Id));
        Assert.Equal("s1-b2-w40r0.125", analysis.Runs[5].Id);
        Assert.All(analysis.Runs.Skip(5), r => Assert.Equal(2, r.Scheme.BiasLayers));
        var table = analysis.Run(RunCache.For(root, "fake"), runner: (run, _) => Fake(run));
        Assert.Equal(0.5, table.HeadOnlyScore);
        Assert.Equal(0.04, table.BiasGain(4), 12);
        Assert.Equal(0.52, table.BaselineScore, 12);
        Assert.Equal(0.002, table.WeightGain(table.Weights.Single(w => w.Conv == 41 && w.Ratio == 1)), 12);
    }

    [Fact]
    public void The_loss_metric_scores_runs_by_minus_their_training_loss_and_a_diverged_run_is_never_chosen()
    {
        var analysis = new ContributionAnalysis(SparseModels.Mcunet, new TinyDataset(), Settings with { Metric = ContributionMetric.Loss });
        // Every update lowers the loss, but conv 41's full update diverged.
        var table = analysis.Run(RunCache.For(root, "loss"), runner: (run, _) => run.Conv == 41 && run.Ratio == 1
            ? new RunResult(0.1, double.NaN, true, 0)
            : new RunResult(0.5, 2 - 0.1 * run.BiasLayers - (run.Conv is { } c ? 0.01 * (c - 39) * run.Ratio : 0), false, 0));
        Assert.Equal(-2, table.HeadOnlyScore);
        Assert.Equal(0.4, table.BiasGain(4), 12);
        Assert.Equal(0.01, table.WeightGain(table.Weights.Single(w => w.Conv == 40 && w.Ratio == 1)), 12);
        Assert.Equal(double.NegativeInfinity, table.WeightGain(table.Weights.Single(w => w.Conv == 41 && w.Ratio == 1)));

        var space = SearchSpace.Analytic(table, analysis.Index);
        var best = space.ToScheme(ExactSolver.Solve(space, long.MaxValue / 4)!.Value, "best");
        Assert.Equal(4, best.BiasLayers);
        Assert.Equal(new WeightUpdate[] { new(40, 1), new(41, 0.5) }, best.Weights.ToArray()); // 41 at its best finite ratio, never the diverged one
    }

    [Fact]
    public void An_interrupted_analysis_resumes_by_running_only_the_missing_runs()
    {
        var analysis = new ContributionAnalysis(SparseModels.Mcunet, new TinyDataset(), Settings with { Jobs = 1 });
        var cache = RunCache.For(root, analysis.Key(TestData.Path("tiny-training", "mcu_models", "mcunet-5fps.pkl")));
        var first = new List<string>();
        var failure = Assert.Throws<InvalidOperationException>(() => analysis.Run(cache, runner: (run, _) =>
        {
            if (first.Count == 6) throw new InvalidOperationException("killed");
            first.Add(run.Id);
            return Fake(run);
        }));
        Assert.Equal("killed", failure.Message);
        Assert.Equal(6, cache.Count);

        var second = new ConcurrentBag<string>();
        // Resumed by a new analysis of the same settings, now on two workers.
        var resumed = new ContributionAnalysis(SparseModels.Mcunet, new TinyDataset(), Settings).Run(cache, runner: (run, _) => { second.Add(run.Id); return Fake(run); });
        Assert.Equal(analysis.Runs.Count - 6, second.Count);
        Assert.Empty(second.Intersect(first));

        var fresh = new ContributionAnalysis(SparseModels.Mcunet, new TinyDataset(), Settings).Run(RunCache.For(root, "fresh"), runner: (run, _) => Fake(run));
        Assert.Equal(fresh.BiasScores.ToArray(), resumed.BiasScores.ToArray());
        Assert.Equal(fresh.Weights.ToArray(), resumed.Weights.ToArray());
    }

    [Fact]
    public void A_failing_run_on_one_worker_stops_the_other_and_is_the_error_reported()
    {
        var analysis = new ContributionAnalysis(SparseModels.Mcunet, new TinyDataset(), Settings);
        var calls = 0;
        var failure = Assert.Throws<InvalidOperationException>(() => analysis.Run(RunCache.For(root, "fail"), runner: (run, token) =>
        {
            if (Interlocked.Increment(ref calls) == 3) throw new InvalidOperationException("bad run");
            Thread.Sleep(20);
            token.ThrowIfCancellationRequested();
            return Fake(run);
        }));
        Assert.Equal("bad run", failure.Message);
        Assert.True(calls < analysis.Runs.Count, $"{calls} runs started after the failure");
    }

    [Fact]
    public void The_cache_key_changes_with_the_data_and_the_settings_but_not_with_the_number_of_jobs()
    {
        var model = TestData.Path("tiny-training", "mcu_models", "mcunet-5fps.pkl");
        string Key(ContributionSettings s, byte shade = 0) => new ContributionAnalysis(SparseModels.Mcunet, new TinyDataset(shade), s).Key(model);
        var key = Key(Settings);
        Assert.Equal(key, Key(Settings with { Jobs = 1, BiasConvs = 3 }));
        Assert.NotEqual(key, Key(Settings, shade: 1));
        Assert.NotEqual(key, Key(Settings with { Trainer = Settings.Trainer with { LearningRate = 0.003f } }));
        Assert.NotEqual(key, Key(Settings with { TrainExamples = 9 }));
        Assert.NotEqual(key, Key(Settings with { Trainer = Settings.Trainer with { Seed = 2 } }));
    }
}
