using TinyTrain.Data;
using TinyTrain.Ir;

namespace TinyTrain.Runtime.Benchmarking;

/// <summary>Real images for benchmarks: the first examples of a dataset, encoded (resized, channels) to a model's input once, untimed.</summary>
public sealed record BenchImages(sbyte[][] Inputs, int[] Labels, string Source)
{
    public static BenchImages From(LabelledDataset dataset, Shape input, int count, ulong seed = 1)
    {
        if (input.Rank != 4) throw new ArgumentException($"input {input} is not an NHWC image");
        count = Math.Min(count, dataset.Count);
        var reader = new BatchReader(dataset, input[1], input[2], input[3], seed);
        var indices = Enumerable.Range(0, count).ToArray();
        var inputs = Enumerable.Range(0, count).Select(_ => new sbyte[reader.ExampleSize]).ToArray();
        var labels = new int[count];
        reader.EncodeBatch(indices, inputs, labels, augment: false, epoch: 0);
        return new BenchImages(inputs, labels, $"{dataset.Name}, first {count} images resized to {input[1]}x{input[2]}x{input[3]}");
    }
}
