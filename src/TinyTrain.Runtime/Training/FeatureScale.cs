using System.Runtime.InteropServices;
using TinyTrain.Compiler.Autodiff;
using TinyTrain.Compiler.Lowering;
using TinyTrain.Data;
using TinyTrain.Ir;

namespace TinyTrain.Runtime.Training;

/// <summary>
/// Measures <see cref="TrainingOptions.FeatureRms"/>, the scale of the features the new head reads (the input of the
/// model's classifier). Backbones differ by three orders of magnitude here (on Fashion-MNIST mean ||x||^2 is 0.96 for
/// vww_96_int8's post-ReLU pool, 430 for mcunet's linear bottleneck, 720 for mltk_image_example1), and a linear head's
/// SGD step moves the logits by lr ||x||^2 g: too little to change an int8 weight, or straight to the clamp. Every
/// command that compiles a training step from data measures it here: on the first <see cref="Images"/> images of its
/// training order, unaugmented.
/// </summary>
public static class FeatureScale
{
    /// <summary>The training images measured: the first this many of the run's training order.</summary>
    public const int Images = 64;

    /// <summary>The rms of the first <see cref="Images"/> of <paramref name="training"/>, encoded by <paramref name="reader"/> (train, search, demo).</summary>
    public static double Rms(Graph model, BatchReader reader, IReadOnlyList<int> training)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(training);
        var indices = training.Take(Images).ToArray();
        return Rms(model, reader.Batches(indices, 16, augment: false, epoch: 0).SelectMany(b => b.Inputs.Take(b.Count)));
    }

    /// <summary>
    /// The rms of the first <see cref="Images"/> images of <paramref name="dataset"/> after the seed-1 shuffle, the
    /// images `train --seed 1 --val 0` measures: for the commands that compile a step from data without a run of
    /// their own (codegen and mcu with --data).
    /// </summary>
    public static double Rms(Graph model, LabelledDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(model);
        var reader = new BatchReader(dataset, ImageInput.Of(model.Input.Type, dataset.Name), seed: 1);
        return Rms(model, reader, DataPlan.Create(dataset, seed: 1).Train);
    }

    /// <summary>
    /// sqrt(mean over <paramref name="inputs"/> (encoded model inputs; the first <see cref="Images"/>) of ||x||^2 / D),
    /// x the dequantised features; 1 when they are all zero, which leaves nothing to scale by. Deterministic.
    /// </summary>
    public static double Rms(Graph model, IEnumerable<sbyte[]> inputs)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        var (_, features) = TrainingGraph.Features(model);
        while (features.Op == Ops.Reshape) features = features.Input(0); // the same values; the lowering aliases a reshape
        var real = features.Type.DType == DType.Float32;
        if (!real && (features.Type.DType != DType.Int8 || features.Quant is null))
            throw new InvalidOperationException($"{features.Name} is {features.Type.DType.Name()}, not int8 with quantisation or fp32");
        var program = InferenceLowering.Lower(new Graph(model.Name, model.Inputs, [features]));
        var executor = new Executor(program);
        var output = new byte[program.Output.Bytes];
        var (sum, count) = (0.0, 0);
        foreach (var input in inputs.Take(Images))
        {
            executor.Run(input, MemoryMarshal.Cast<byte, sbyte>(output.AsSpan()));
            if (real)
            {
                foreach (var x in MemoryMarshal.Cast<byte, float>(output.AsSpan())) sum += (double)x * x;
            }
            else
            {
                var (scale, zero) = (features.Quant!.Scale, features.Quant.ZeroPoint);
                foreach (var q in MemoryMarshal.Cast<byte, sbyte>(output.AsSpan())) sum += (q - zero) * scale * ((q - zero) * scale);
            }
            count++;
        }
        var elements = real ? output.Length / 4 : output.Length;
        var rms = Math.Sqrt(sum / Math.Max(1, count) / elements);
        return rms > 0 && double.IsFinite(rms) ? rms : 1;
    }
}
