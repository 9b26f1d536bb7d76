namespace TinyTrain.Runtime.Training;

/// <summary>A snapshot a progress bar shows: where the run is and how it goes.</summary>
public sealed record TrainingProgress(int Epoch, int Epochs, int Done, int Total, double Loss, double Accuracy, double ImagesPerSecond, float LearningRate);

/// <summary>The figures of one finished epoch.</summary>
public sealed record EpochResult(int Epoch, double Loss, double TrainAccuracy, double? ValidationAccuracy, double ImagesPerSecond, double Seconds);

/// <summary>A run that cannot go on (divergence): the message names the epoch and step.</summary>
public sealed class TrainingDivergedException(string message) : UserException(ErrorCode.Diverged, message);
