using System.Diagnostics;
using TinyTrain.Compiler.Lowering;

namespace TinyTrain.Runtime.Benchmarking;

/// <summary>
/// Training steps per second of a lowered training program on pre-encoded images (decoding is not timed). Batch 1 is
/// the device: one executor, an update after every image. A larger batch runs one executor per thread with deferred
/// updates, summed and applied once per batch, as <c>Trainer</c> does.
/// </summary>
public static class TrainingBenchmark
{
    public const float LearningRate = 0.001f;

    /// <summary>Images per second; a round is <paramref name="imagesPerRound"/> images (rounded up to whole batches).</summary>
    public static Rate ImagesPerSecond(TrainingProgram program, BenchImages images, int batch = 1, int threads = 1, int imagesPerRound = 8,
        int warmup = 1, int rounds = 7)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        var next = 0;
        if (batch == 1)
        {
            var executor = new Executor(program.Program) { LearningRate = LearningRate };
            return Measure.PerSecond(() =>
            {
                for (var i = 0; i < imagesPerRound; i++) Step(program, executor, images, next++);
            }, imagesPerRound, warmup, rounds);
        }
        var workers = Enumerable.Range(0, Math.Min(threads, batch))
            .Select(_ => new Executor(program.Program) { LearningRate = LearningRate, DeferUpdates = true }).ToArray();
        var batches = Math.Max(1, (imagesPerRound + batch - 1) / batch);
        return Measure.PerSecond(() =>
        {
            for (var b = 0; b < batches; b++)
            {
                var first = next;
                next += batch;
                Parallel.For(0, workers.Length, new ParallelOptions { MaxDegreeOfParallelism = workers.Length },
                    w => { for (var i = w; i < batch; i += workers.Length) Step(program, workers[w], images, first + i); });
                Executor.ApplyDeferredUpdates(workers, 1f / batch);
            }
        }, batches * batch, warmup, rounds);
    }

    /// <summary>
    /// Batch-1 images per second of several programs on one core, measured together: every round runs
    /// <paramref name="imagesPerRound"/> steps of each program, in an order that rotates from round to round, so all see the
    /// same machine load and their ratios hold even when the load changes during the run.
    /// </summary>
    public static Rate[] ImagesPerSecondInterleaved(IReadOnlyList<TrainingProgram> programs, BenchImages images, int imagesPerRound = 8,
        int rounds = 21, double warmupSeconds = 0.5)
    {
        var executors = programs.Select(p => new Executor(p.Program) { LearningRate = LearningRate }).ToArray();
        var next = new int[programs.Count];
        void Round(int k)
        {
            for (var i = 0; i < imagesPerRound; i++) Step(programs[k], executors[k], images, next[k]++);
        }
        for (var k = 0; k < programs.Count; k++)
        {
            var started = Stopwatch.GetTimestamp();
            do Round(k); while (Stopwatch.GetElapsedTime(started).TotalSeconds < warmupSeconds);
        }
        var rates = programs.Select(_ => new double[rounds]).ToArray();
        for (var r = 0; r < rounds; r++)
            for (var j = 0; j < programs.Count; j++)
            {
                var k = (r + j) % programs.Count;
                var start = Stopwatch.GetTimestamp();
                Round(k);
                rates[k][r] = imagesPerRound / Stopwatch.GetElapsedTime(start).TotalSeconds;
            }
        return [.. rates.Select(Rate.Of)];
    }

    /// <summary>Median seconds of every call over <paramref name="steps"/> batch-1 steps (after one untimed step).</summary>
    public static double[] SecondsPerCall(TrainingProgram program, BenchImages images, int steps = 8)
    {
        var executor = new Executor(program.Program) { LearningRate = LearningRate };
        Step(program, executor, images, 0);
        return KernelProfile.SecondsPerCall(executor, s => Prepare(program, executor, images, s + 1), steps);
    }

    private static void Step(TrainingProgram program, Executor executor, BenchImages images, int index)
    {
        Prepare(program, executor, images, index);
        executor.Run();
    }

    private static void Prepare(TrainingProgram program, Executor executor, BenchImages images, int index)
    {
        var i = index % images.Inputs.Length;
        executor.SetImage(program.Image, images.Inputs[i]);
        executor.SetLabel(program.Label, images.Labels[i]);
    }
}
