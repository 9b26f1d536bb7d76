namespace TinyTrain.Runtime.Training;

/// <summary>How a run trains: epochs, host-side batch, peak LR with warm-up, seed, threads, checkpoints.</summary>
public sealed record TrainerOptions
{
    public int Epochs { get; init; } = 1;

    /// <summary>Images per update. 1 updates in place after every image (the device); more averages gradients.</summary>
    public int BatchSize { get; init; } = 1;

    public float LearningRate { get; init; } = 0.01f;
    public double WarmupEpochs { get; init; }
    public ulong Seed { get; init; } = 1;
    public bool Augment { get; init; }
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Where to write checkpoints (atomically), or null for none; an existing one is resumed.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>Steps between checkpoints (one is also written at the end of every epoch).</summary>
    public int CheckpointEvery { get; init; } = 500;
}
