using System.Diagnostics;
using TinyTrain.Compiler.Lowered;
using TinyTrain.Compiler.Lowering;
using TinyTrain.Data;

namespace TinyTrain.Runtime.Training;

/// <summary>
/// Fine-tunes a lowered training program on a dataset. Batch 1 runs the step as the device does (update after every
/// image, in place). A larger batch splits each batch over one executor per core, whose gradients are summed in a
/// fixed order and applied identically on every worker, so results do not depend on thread timing.
/// </summary>
public sealed class Trainer
{
    private readonly TrainingProgram training;
    private readonly TrainerOptions options;
    private readonly Executor[] workers;
    private readonly int forwardCalls;

    public Trainer(TrainingProgram training, TrainerOptions options)
    {
        this.training = training;
        this.options = options;
        var count = Math.Max(1, options.Threads);
        workers = [.. Enumerable.Range(0, count).Select(_ => new Executor(training.Program))];
        forwardCalls = training.Program.Calls.ToList().FindIndex(c => c is SoftmaxCrossEntropyCall) + 1;
    }

    /// <summary>The executor whose parameters are the model's (all workers hold the same ones after each step).</summary>
    public Executor Model => workers[0];

    /// <summary>Epochs still to run (all of them, unless a checkpoint is resumed).</summary>
    public int RemainingEpochs(DataPlan plan) =>
        options.CheckpointPath is { } path && File.Exists(path) ? Math.Max(0, options.Epochs - Checkpoint.PeekEpoch(path)) : options.Epochs;

    /// <summary>Top-1 accuracy of the current parameters on the given examples, on every core.</summary>
    public double Evaluate(BatchReader reader, int[] indices, int batchSize = 64)
    {
        if (indices.Length == 0) return double.NaN;
        foreach (var worker in workers.Skip(1)) worker.CopyStateFrom(workers[0]);
        var correct = 0;
        foreach (var batch in reader.Batches(indices, batchSize, augment: false, epoch: 0))
        {
            var hits = new int[workers.Length];
            Parallel.For(0, workers.Length, new ParallelOptions { MaxDegreeOfParallelism = workers.Length }, w =>
            {
                for (var i = w; i < batch.Count; i += workers.Length)
                {
                    var (_, hit) = Forward(workers[w], batch.Inputs[i], batch.Labels[i], backward: false);
                    hits[w] += hit ? 1 : 0;
                }
            });
            correct += hits.Sum();
        }
        return (double)correct / indices.Length;
    }

    public IReadOnlyList<EpochResult> Train(BatchReader reader, DataPlan plan, IProgress<TrainingProgress>? progress = null, CancellationToken cancel = default)
    {
        var batch = Math.Max(1, options.BatchSize);
        var stepsPerEpoch = (plan.Train.Length + batch - 1) / batch;
        var schedule = new LearningRateSchedule(options.LearningRate, (int)Math.Round(options.WarmupEpochs * stepsPerEpoch), options.Epochs * stepsPerEpoch);
        var state = new Checkpoint(0, 0, 0, 0, 0, 0, []);
        if (options.CheckpointPath is { } path && File.Exists(path)) state = Checkpoint.Load(path, workers, training.FeatureRms);
        var history = state.History.ToList();
        var active = batch == 1 ? workers[..1] : workers[..Math.Min(workers.Length, batch)];
        foreach (var worker in active) worker.DeferUpdates = batch > 1;

        for (var epoch = state.Epoch; epoch < options.Epochs; epoch++)
        {
            var resuming = epoch == state.Epoch;
            var (lossSum, correct, seen, step) = resuming ? (state.LossSum, state.Correct, state.Seen, state.Step) : (0.0, 0, 0, 0);
            var globalStep = epoch * stepsPerEpoch + step;
            var order = plan.EpochOrder(epoch);
            var clock = Stopwatch.StartNew();
            var seenAtStart = seen;
            foreach (var examples in reader.Batches(order[Math.Min(order.Length, step * batch)..], batch, options.Augment, epoch))
            {
                cancel.ThrowIfCancellationRequested();
                var lr = schedule.At(globalStep);
                var (loss, hits) = Step(active, examples, lr);
                if (!double.IsFinite(loss))
                    throw new TrainingDivergedException($"training diverged at epoch {epoch + 1}, step {step + 1}: the loss is {loss} (try a lower --lr)");
                (lossSum, correct, seen) = (lossSum + loss, correct + hits, seen + examples.Count);
                step++;
                globalStep++;
                var rate = (seen - seenAtStart) / Math.Max(1e-9, clock.Elapsed.TotalSeconds);
                progress?.Report(new TrainingProgress(epoch + 1, options.Epochs, seen, plan.Train.Length, lossSum / seen, (double)correct / seen, rate, lr));
                if (options.CheckpointPath is { } p && step % options.CheckpointEvery == 0 && step < stepsPerEpoch)
                    new Checkpoint(epoch, step, globalStep, lossSum, correct, seen, history).Save(p, workers[0], training.FeatureRms);
            }
            var validation = plan.Validation.Length > 0 ? Evaluate(reader, plan.Validation) : (double?)null;
            var seconds = clock.Elapsed.TotalSeconds;
            history.Add(new EpochResult(epoch + 1, lossSum / Math.Max(1, seen), (double)correct / Math.Max(1, seen), validation, (seen - seenAtStart) / Math.Max(1e-9, seconds), seconds));
            if (options.CheckpointPath is { } end) new Checkpoint(epoch + 1, 0, globalStep, 0, 0, 0, history).Save(end, workers[0], training.FeatureRms);
        }
        return history;
    }

    private (double Loss, int Correct) Step(Executor[] active, Batch examples, float lr)
    {
        if (active.Length == 1 && !active[0].DeferUpdates)
        {
            // The device's behaviour: one image, forward + backward + in-place update.
            active[0].LearningRate = lr;
            var (loss, hit) = Forward(active[0], examples.Inputs[0], examples.Labels[0], backward: true);
            return (loss, hit ? 1 : 0);
        }
        var losses = new double[active.Length];
        var hits = new int[active.Length];
        Parallel.For(0, active.Length, new ParallelOptions { MaxDegreeOfParallelism = active.Length }, w =>
        {
            for (var i = w; i < examples.Count; i += active.Length)
            {
                var (loss, hit) = Forward(active[w], examples.Inputs[i], examples.Labels[i], backward: true);
                losses[w] += loss;
                hits[w] += hit ? 1 : 0;
            }
        });
        foreach (var worker in active) worker.LearningRate = lr;
        Executor.ApplyDeferredUpdates(active, 1f / examples.Count);
        return (losses.Sum(), hits.Sum());
    }

    /// <summary>Runs one example: the whole step, or only the forward pass and loss. Returns the loss and whether top-1 was right.</summary>
    private (double Loss, bool Correct) Forward(Executor executor, sbyte[] image, int label, bool backward)
    {
        executor.SetImage(training.Image, image);
        executor.SetLabel(training.Label, label);
        if (backward) executor.Run();
        else executor.RunPrefix(forwardCalls);
        var logits = executor.Floats(training.Logits);
        var best = 0;
        for (var i = 1; i < logits.Length; i++) if (logits[i] > logits[best]) best = i;
        return (executor.Floats(training.Loss)[0], best == label);
    }
}
