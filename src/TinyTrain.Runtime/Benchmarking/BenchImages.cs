using TinyTrain.Data;
using TinyTrain.Ir;

namespace TinyTrain.Runtime.Benchmarking;

/// <summary>Real images for benchmarks: the first examples of a dataset, encoded (resized, channels) to a model's input once, untimed.</summary>
public sealed record BenchImages(sbyte[][] Inputs, int[] Labels, string Source)
{
    public static BenchImages From(LabelledDataset dataset, TensorType input, int count, ulong seed = 1)
    {
        var image = ImageInput.Of(input, dataset.Name);
        count = Math.Min(count, dataset.Count);
        var reader = new BatchReader(dataset, image, seed);
        var indices = Enumerable.Range(0, count).ToArray();
        var inputs = Enumerable.Range(0, count).Select(_ => new sbyte[reader.ExampleSize]).ToArray();
        var labels = new int[count];
        reader.EncodeBatch(indices, inputs, labels, augment: false, epoch: 0);
        return new BenchImages(inputs, labels, $"{dataset.Name}, first {count} images resized to {image.Height}x{image.Width}x{image.Channels}");
    }
}
