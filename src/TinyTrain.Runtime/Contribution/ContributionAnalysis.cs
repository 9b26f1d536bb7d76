using System.Collections.Immutable;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using TinyTrain.Compiler;
using TinyTrain.Compiler.Search;
using TinyTrain.Compiler.Sparse;
using TinyTrain.Data;
using TinyTrain.Ir;
using TinyTrain.Runtime.Training;

namespace TinyTrain.Runtime.Contribution;

/// <summary>Where an analysis is: runs finished (cached ones included), of all, and the run that just finished.</summary>
public sealed record AnalysisProgress(int Done, int Total, int Cached, ContributionRun? Last, RunResult? Result);

/// <summary>
/// The contribution analysis of paper-notes §2.7 by real short fine-tuning runs: head only; the biases of the last k
/// convs for k = 1..<see cref="ContributionSettings.BiasConvs"/>; and on top of the biases of the last
/// <see cref="ContributionSettings.WeightConvs"/> convs (the weight baseline, itself a point of the bias curve) the
/// weights of each of those convs at each ratio. Runs go to <see cref="ContributionSettings.Jobs"/> workers, one core
/// each; each run is seeded and independent of the others, so the table does not depend on which worker ran what.
/// </summary>
public sealed class ContributionAnalysis
{
    private readonly Graph model;
    private readonly LabelledDataset dataset;
    private readonly ContributionSettings settings;
    private readonly Dictionary<ulong, DataPlan> plans = [];
    private readonly Dictionary<ulong, double> featureRms = [];
    private readonly ImageInput input;

    public ContributionAnalysis(Graph model, LabelledDataset dataset, ContributionSettings settings)
    {
        this.model = model;
        this.dataset = dataset;
        this.settings = settings;
        Index = ConvIndex.Of(model);
        BiasConvs = settings.BiasConvsFor(Index);
        WeightConvs = settings.WeightConvsFor(Index);
        var pool = settings.TrainExamples + settings.ValidationExamples;
        if (settings.TrainExamples < 1 || settings.ValidationExamples < 1 || pool > dataset.Count)
            throw new ArgumentException($"{dataset.Name} has {dataset.Count} examples; the analysis needs {settings.TrainExamples} to train and {settings.ValidationExamples} held out (both at least 1)");
        input = ImageInput.Of(model.Input.Type, dataset.Name);
        foreach (var seed in settings.Seeds)
        {
            plans[seed] = DataPlan.Create(dataset, seed, pool, ValidationSplit.OfCount(settings.ValidationExamples));
            // Every run of a seed builds its head for the same features' rms, measured as train measures it.
            featureRms[seed] = FeatureScale.Rms(model, new BatchReader(dataset, input, seed), plans[seed].Train);
        }
        var runs = new List<ContributionRun>();
        foreach (var seed in settings.Seeds)
        {
            for (var k = 0; k <= BiasConvs; k++) runs.Add(ContributionRun.Bias(k, seed));
            for (var conv = Index.Count - WeightConvs; conv < Index.Count; conv++)
            {
                foreach (var ratio in settings.Ratios.Order()) runs.Add(ContributionRun.Weight(WeightConvs, conv, ratio, seed));
            }
        }
        Runs = runs;
    }

    public ConvIndex Index { get; }
    public int BiasConvs { get; }
    public int WeightConvs { get; }
    public IReadOnlyList<ContributionRun> Runs { get; }

    /// <summary>
    /// The cache key: the model file's bytes, the dataset's name, classes and the labels and pixels of every example
    /// the runs read, each seed's feature rms, and the run settings. Anything that can change a run's result changes the key.
    /// </summary>
    public string Key(string modelPath)
    {
        IEnumerable<byte[]> Parts()
        {
            yield return File.ReadAllBytes(modelPath);
            yield return RunCache.Utf8($"{dataset.Name}|{dataset.Count}|{string.Join(",", dataset.ClassNames)}|{model.Input.Shape}");
            foreach (var (seed, plan) in plans.OrderBy(p => p.Key))
            {
                yield return BitConverter.GetBytes(seed);
                yield return BitConverter.GetBytes(featureRms[seed]);
                foreach (var i in plan.Train.Concat(plan.Validation))
                {
                    yield return BitConverter.GetBytes(dataset.Label(i));
                    yield return dataset.View(i).Pixels.ToArray();
                }
            }
            yield return RunCache.Utf8(settings.RunSettingsText());
        }
        return RunCache.Hash(Parts());
    }

    /// <summary>
    /// Runs what <paramref name="cache"/> lacks and returns the table. <paramref name="runner"/> replaces the real
    /// training (tests); a cancelled or failed analysis keeps every run that finished.
    /// </summary>
    public ContributionTable Run(RunCache cache, IProgress<AnalysisProgress>? progress = null, CancellationToken cancel = default,
        Func<ContributionRun, CancellationToken, RunResult>? runner = null)
    {
        runner ??= Execute;
        var results = new Dictionary<string, RunResult>();
        var missing = new List<ContributionRun>();
        foreach (var run in Runs)
        {
            if (cache.TryGet(run.Id) is { } hit) results[run.Id] = hit;
            else missing.Add(run);
        }
        var cached = results.Count;
        var done = cached;
        progress?.Report(new AnalysisProgress(done, Runs.Count, cached, null, null));
        var next = -1;
        var gate = new object();
        // One failing run stops the others after their current run; every finished run is already cached.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        try
        {
            var workers = Math.Max(1, Math.Min(settings.Jobs, missing.Count));
            Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, _ =>
            {
                int i;
                while (!stop.IsCancellationRequested && (i = Interlocked.Increment(ref next)) < missing.Count)
                {
                    var run = missing[i];
                    RunResult result;
                    try
                    {
                        result = runner(run, stop.Token);
                    }
                    catch
                    {
                        stop.Cancel();
                        throw;
                    }
                    cache.Save(run.Id, result);
                    lock (gate)
                    {
                        results[run.Id] = result;
                        progress?.Report(new AnalysisProgress(++done, Runs.Count, cached, run, result));
                    }
                }
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count >= 1)
        {
            // The run that failed first, not the cancellations it caused.
            var cause = e.InnerExceptions.FirstOrDefault(x => x is not OperationCanceledException) ?? e.InnerExceptions[0];
            ExceptionDispatchInfo.Capture(cause).Throw();
            throw;
        }
        cancel.ThrowIfCancellationRequested();
        return Table(results);
    }

    /// <summary>Averages the seeds of each scheme into scores.</summary>
    private ContributionTable Table(Dictionary<string, RunResult> results)
    {
        double Mean(Func<ulong, ContributionRun> run) => settings.Seeds.Average(seed => Score(results[run(seed).Id]));
        var head = Mean(s => ContributionRun.Bias(0, s));
        var bias = Enumerable.Range(1, BiasConvs).Select(k => Mean(s => ContributionRun.Bias(k, s))).ToImmutableArray();
        var weights = ImmutableArray.CreateBuilder<WeightContribution>();
        for (var conv = Index.Count - WeightConvs; conv < Index.Count; conv++)
        {
            foreach (var ratio in settings.Ratios.Order())
                weights.Add(new WeightContribution(conv, ratio, Mean(s => ContributionRun.Weight(WeightConvs, conv, ratio, s))));
        }
        return new ContributionTable(settings.Metric, head, bias, WeightConvs, weights.ToImmutable());
    }

    /// <summary>Higher is better. A diverged run has no loss: it scores minus infinity, so no search ever picks it.</summary>
    private double Score(RunResult r) => settings.Metric switch
    {
        ContributionMetric.Accuracy => r.Accuracy,
        _ => double.IsFinite(r.TrainLoss) ? -r.TrainLoss : double.NegativeInfinity,
    };

    /// <summary>One real run on one core: compile the scheme, fine-tune, score on the held-out split.</summary>
    private RunResult Execute(ContributionRun run, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        var options = settings.Training with { FeatureRms = featureRms[run.Seed] };
        var compiled = Compilation.CompileTraining(model, run.Scheme, options, settings.Momentum, settings.Fp32);
        var reader = new BatchReader(dataset, input, run.Seed, workers: 1);
        var plan = plans[run.Seed];
        var trainer = new Trainer(compiled.Program, settings.Trainer with { Threads = 1, Seed = run.Seed, CheckpointPath = null });
        try
        {
            var last = trainer.Train(reader, plan, cancel: cancel)[^1];
            return new RunResult(last.ValidationAccuracy ?? trainer.Evaluate(reader, plan.Validation), last.Loss, false, clock.Elapsed.TotalSeconds);
        }
        catch (TrainingDivergedException)
        {
            // A diverged run is a real outcome (this update hurts at this learning rate): score what is left.
            return new RunResult(trainer.Evaluate(reader, plan.Validation), double.NaN, true, clock.Elapsed.TotalSeconds);
        }
    }
}
