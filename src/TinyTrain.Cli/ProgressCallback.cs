namespace TinyTrain.Cli;

/// <summary>
/// Reports progress on the calling thread, in order (System.Progress posts to the thread pool, so a progress bar could
/// see reports late or out of order).
/// </summary>
public sealed class ProgressCallback<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
