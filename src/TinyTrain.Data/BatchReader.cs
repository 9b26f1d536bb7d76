using System.Runtime.ExceptionServices;

namespace TinyTrain.Data;

/// <summary>One batch: the first <see cref="Count"/> entries of each array are valid. Buffers are reused by the reader.</summary>
public sealed class Batch(int capacity, int exampleSize)
{
    public int Count { get; internal set; }
    public int[] Indices { get; } = new int[capacity];
    public sbyte[][] Inputs { get; } = [.. Enumerable.Range(0, capacity).Select(_ => new sbyte[exampleSize])];
    public int[] Labels { get; } = new int[capacity];
}

/// <summary>
/// Encodes batches of dataset examples into int8 HWC inputs. Images are decoded lazily, one at a time per worker,
/// and dropped once encoded, so only the compact source and the caller's batch buffers stay in memory.
/// Work is split over up to <see cref="Workers"/> threads, each with its own <see cref="ExampleEncoder"/>;
/// augmentation depends on (seed, epoch, dataset index) only, so output never depends on thread scheduling.
/// One reader must not run two batches at once.
/// </summary>
public sealed class BatchReader
{
    readonly ExampleEncoder[] _encoders;
    readonly ParallelOptions _parallel;

    public LabelledDataset Dataset { get; }
    public ulong Seed { get; }
    public int Workers => _encoders.Length;
    public ExampleEncoder Encoder => _encoders[0];
    /// <summary>Elements per encoded example (H*W*C).</summary>
    public int ExampleSize => _encoders[0].Size;

    /// <summary>A reader encoding for a model's input (<see cref="ImageInput.Of"/>): its size, channels and pixel encoding.</summary>
    public BatchReader(LabelledDataset dataset, ImageInput input, ulong seed, AugmentOptions? augment = null, int workers = 2)
        : this(dataset, input.Height, input.Width, input.Channels, seed, input.Encoding, augment, workers)
    {
    }

    public BatchReader(LabelledDataset dataset, int height, int width, int channels, ulong seed,
        PixelEncoding encoding = PixelEncoding.Offset, AugmentOptions? augment = null, int workers = 2)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        Dataset = dataset;
        Seed = seed;
        _encoders = [.. Enumerable.Range(0, workers).Select(_ => new ExampleEncoder(height, width, channels, encoding, augment))];
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = workers };
    }

    /// <summary>Encodes all of <paramref name="indices"/> into <paramref name="destination"/>[i] and <paramref name="labels"/>[i].</summary>
    public void EncodeBatch(int[] indices, sbyte[][] destination, int[] labels, bool augment, int epoch) =>
        EncodeBatch(indices, indices.Length, destination, labels, augment, epoch);

    /// <summary>Encodes the first <paramref name="count"/> of <paramref name="indices"/>.</summary>
    public void EncodeBatch(int[] indices, int count, sbyte[][] destination, int[] labels, bool augment, int epoch)
    {
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(labels);
        if ((uint)count > (uint)indices.Length || destination.Length < count || labels.Length < count)
            throw new ArgumentException($"batch of {count}: indices {indices.Length}, destination {destination.Length}, labels {labels.Length}");
        int workers = Math.Min(Workers, count);
        if (workers <= 1)
        {
            Run(0, indices, 0, count, destination, labels, augment, epoch);
            return;
        }
        RunParallel(workers, indices, count, destination, labels, augment, epoch);
    }

    // Separate method: the lambda's closure would otherwise be allocated on every call, even single-threaded ones.
    void RunParallel(int workers, int[] indices, int count, sbyte[][] destination, int[] labels, bool augment, int epoch)
    {
        try
        {
            Parallel.For(0, workers, _parallel, w =>
                Run(w, indices, (int)((long)count * w / workers), (int)((long)count * (w + 1) / workers), destination, labels, augment, epoch));
        }
        catch (AggregateException e) when (e.InnerExceptions.Count >= 1)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            throw;
        }
    }

    void Run(int worker, int[] indices, int from, int to, sbyte[][] destination, int[] labels, bool augment, int epoch)
    {
        var enc = _encoders[worker];
        for (int i = from; i < to; i++)
        {
            int index = indices[i];
            labels[i] = Dataset.Label(index);
            var view = Dataset.View(index);
            if (augment) enc.EncodeAugmented(view, Seed, epoch, index, destination[i]);
            else enc.Encode(view, destination[i]);
        }
    }

    /// <summary>
    /// Batches of <paramref name="order"/> (e.g. <see cref="DataPlan.EpochOrder"/>) in order; the last one may be
    /// short unless <paramref name="dropLast"/>. The same <see cref="Batch"/> object is refilled each time.
    /// </summary>
    public IEnumerable<Batch> Batches(int[] order, int batchSize, bool augment, int epoch, bool dropLast = false)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        return Iterate(order, batchSize, augment, epoch, dropLast);
    }

    IEnumerable<Batch> Iterate(int[] order, int batchSize, bool augment, int epoch, bool dropLast)
    {
        var batch = new Batch(batchSize, ExampleSize);
        for (int start = 0; start < order.Length; start += batchSize)
        {
            int n = Math.Min(batchSize, order.Length - start);
            if (n < batchSize && dropLast) yield break;
            Array.Copy(order, start, batch.Indices, 0, n);
            batch.Count = n;
            EncodeBatch(batch.Indices, n, batch.Inputs, batch.Labels, augment, epoch);
            yield return batch;
        }
    }
}
