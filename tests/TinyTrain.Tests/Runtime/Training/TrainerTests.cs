using TinyTrain.Compiler;
using TinyTrain.Compiler.Autodiff;
using TinyTrain.Compiler.Lowering;
using TinyTrain.Data;
using TinyTrain.Formats;
using TinyTrain.Ir;
using TinyTrain.Runtime.Training;

namespace TinyTrain.Tests.Runtime.Training;

public class TrainerTests
{
    private static readonly Lazy<Graph> Mcunet = new(() => ModelLoader.Load(TestData.Path("tiny-training", "mcu_models", "mcunet-5fps.pkl")));
    private static readonly Lazy<LabelledDataset> Fashion = new(() => DatasetCatalog.Open("fashion-mnist", TestData.Root).Train);

    private static (Compilation.Training Compiled, BatchReader Reader, DataPlan Plan) Setup(string scheme, int limit, int validation, TrainingOptions? options = null, float momentum = 0)
    {
        var compiled = Compilation.CompileTraining(Mcunet.Value, scheme, options ?? new TrainingOptions(10), momentum);
        var reader = new BatchReader(Fashion.Value, 128, 128, 3, seed: 7);
        var plan = DataPlan.Create(Fashion.Value, seed: 7, limit, ValidationSplit.OfCount(validation));
        return (compiled, reader, plan);
    }

    private static byte[] State(Trainer trainer, TrainingProgram program) =>
        [.. program.State.SelectMany(t => trainer.Model.TensorBytes(t.Id).ToArray())];

    [Fact]
    public void Fine_tuning_the_head_on_the_device_policy_beats_chance_by_far()
    {
        var (compiled, reader, plan) = Setup("head-only", 420, 120);
        var trainer = new Trainer(compiled.Program, new TrainerOptions { Epochs = 1, LearningRate = 0.01f });
        var before = trainer.Evaluate(reader, plan.Validation);
        var history = trainer.Train(reader, plan);
        Assert.InRange(before, 0.0, 0.25); // a zero head predicts one class
        Assert.True(history[0].ValidationAccuracy > 0.55, $"held-out accuracy {history[0].ValidationAccuracy} after one epoch");
        Assert.True(history[0].Loss < Math.Log(10), $"mean training loss {history[0].Loss} is not below chance");
    }

    [Fact]
    public void Same_seed_gives_identical_weights_and_a_killed_run_resumes_to_the_same_weights()
    {
        var (compiled, reader, plan) = Setup("last:3", 60, 0);
        var options = new TrainerOptions { Epochs = 2, LearningRate = 0.01f };
        var straight = new Trainer(compiled.Program, options);
        straight.Train(reader, plan);
        var again = new Trainer(compiled.Program, options);
        again.Train(reader, plan);
        Assert.Equal(State(straight, compiled.Program), State(again, compiled.Program));

        var checkpoint = Path.Combine(Path.GetTempPath(), $"tinytrain-{Guid.NewGuid():N}.ckpt");
        try
        {
            using var kill = new CancellationTokenSource();
            var killed = new Trainer(compiled.Program, options with { CheckpointPath = checkpoint, CheckpointEvery = 10 });
            // Kill mid-epoch 2, after the checkpoint at step 20 of that epoch (steps are single images here).
            var progress = new Progress(p => { if (p.Epoch == 2 && p.Done == 25) kill.Cancel(); });
            Assert.ThrowsAny<OperationCanceledException>(() => killed.Train(reader, plan, progress, kill.Token));
            Assert.Equal(1, Checkpoint.PeekEpoch(checkpoint));
            var resumed = new Trainer(compiled.Program, options with { CheckpointPath = checkpoint, CheckpointEvery = 10 });
            var history = resumed.Train(reader, plan);
            Assert.Equal(2, history.Count);
            Assert.Equal(State(straight, compiled.Program), State(resumed, compiled.Program));
        }
        finally
        {
            File.Delete(checkpoint);
        }
    }

    [Fact]
    public void Batched_updates_on_two_cores_are_deterministic_and_move_the_weights()
    {
        var (compiled, reader, plan) = Setup("last:2", 40, 0, momentum: 0.9f);
        var options = new TrainerOptions { Epochs = 1, BatchSize = 8, LearningRate = 0.05f, Threads = 2 };
        var a = new Trainer(compiled.Program, options);
        a.Train(reader, plan);
        var b = new Trainer(compiled.Program, options);
        b.Train(reader, plan);
        var initial = new Trainer(compiled.Program, options);
        Assert.Equal(State(a, compiled.Program), State(b, compiled.Program));
        Assert.NotEqual(State(initial, compiled.Program), State(a, compiled.Program));
    }

    [Fact]
    public void A_diverging_run_stops_with_the_epoch_and_step()
    {
        var (compiled, reader, plan) = Setup("head-only", 30, 0, new TrainingOptions(10, HeadKind.Float));
        var trainer = new Trainer(compiled.Program, new TrainerOptions { LearningRate = 1e38f });
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Train(reader, plan));
        Assert.Contains("epoch 1, step", e.Message);
        Assert.Contains("--lr", e.Message);
    }

    [Fact]
    public void A_checkpoint_of_another_scheme_is_refused()
    {
        var (first, reader, plan) = Setup("head-only", 12, 0);
        var (second, _, _) = Setup("last:2", 12, 0);
        var checkpoint = Path.Combine(Path.GetTempPath(), $"tinytrain-{Guid.NewGuid():N}.ckpt");
        try
        {
            new Trainer(first.Program, new TrainerOptions { CheckpointPath = checkpoint }).Train(reader, plan);
            var e = Assert.Throws<CheckpointException>(() => new Trainer(second.Program, new TrainerOptions { CheckpointPath = checkpoint }).Train(reader, plan));
            Assert.Contains(checkpoint, e.Message);
            Assert.Equal(ErrorCode.Checkpoint, e.Code);
        }
        finally
        {
            File.Delete(checkpoint);
        }
    }

    [Fact]
    public void A_checkpoint_of_a_head_built_for_another_feature_rms_is_refused_and_export_reads_it()
    {
        var (first, reader, plan) = Setup("head-only", 12, 0, new TrainingOptions(10) { FeatureRms = 2.5 });
        var (second, _, _) = Setup("head-only", 12, 0, new TrainingOptions(10) { FeatureRms = 2.75 });
        var checkpoint = Path.Combine(Path.GetTempPath(), $"tinytrain-{Guid.NewGuid():N}.ckpt");
        try
        {
            new Trainer(first.Program, new TrainerOptions { CheckpointPath = checkpoint }).Train(reader, plan);
            Assert.Equal(2.5, Checkpoint.ReadFeatureRms(checkpoint));
            var e = Assert.Throws<CheckpointException>(() => new Trainer(second.Program, new TrainerOptions { CheckpointPath = checkpoint }).Train(reader, plan));
            Assert.Contains("rms 2.5, this run's are 2.75", e.Message);
            Assert.DoesNotContain('\n', e.Message);
            Assert.NotNull(TrainedModel.FromCheckpoint(first, checkpoint));

            var bytes = File.ReadAllBytes(checkpoint);
            bytes[5] = (byte)'1'; // "TTCK1" (after its length byte): the format before the rms
            File.WriteAllBytes(checkpoint, bytes);
            Assert.Contains("older TinyTrain", Assert.Throws<CheckpointException>(() => Checkpoint.ReadFeatureRms(checkpoint)).Message);
        }
        finally
        {
            File.Delete(checkpoint);
        }
    }

    /// <summary>Layout: magic (1 + 5 bytes), fingerprint (1 + 16), feature rms (8), epoch, step, global step, loss sum (8), correct, seen, history count.</summary>
    [Theory]
    [InlineData("epoch", -1, "position")]
    [InlineData("epoch", int.MinValue, "position")]
    [InlineData("history", int.MaxValue, "history")]
    [InlineData("tensor", int.MinValue, "damaged")]
    [InlineData("tensor", int.MaxValue, "damaged")]
    [InlineData("rms", -1, "feature rms")]
    public void A_damaged_checkpoint_is_a_one_line_error_naming_what_is_damaged(string field, int value, string reason)
    {
        var (compiled, reader, plan) = Setup("head-only", 12, 0);
        var checkpoint = Path.Combine(Path.GetTempPath(), $"tinytrain-{Guid.NewGuid():N}.ckpt");
        try
        {
            new Trainer(compiled.Program, new TrainerOptions { CheckpointPath = checkpoint }).Train(reader, plan);
            var bytes = File.ReadAllBytes(checkpoint);
            const int epoch = 6 + 17 + 8, history = epoch + 4 * 3 + 8 + 4 * 2;
            var offset = field switch
            {
                "epoch" => epoch,
                "history" => history,
                "rms" => epoch - 8 + 4, // the rms's high half: a negative double
                _ => history + 4 + BitConverter.ToInt32(bytes, history) * (4 + 8 * 5),
            };
            BitConverter.TryWriteBytes(bytes.AsSpan(offset), value);
            File.WriteAllBytes(checkpoint, bytes);
            var e = Assert.Throws<CheckpointException>(() => new Trainer(compiled.Program, new TrainerOptions { CheckpointPath = checkpoint }).Train(reader, plan));
            Assert.Contains(reason, e.Message);
            Assert.DoesNotContain('\n', e.Message);
        }
        finally
        {
            File.Delete(checkpoint);
        }
    }

    private sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        // Synchronous on purpose: the test cancels at an exact step.
        public void Report(TrainingProgress value) => report(value);
    }
}
