using System.Runtime.InteropServices;
using TinyTrain.Compiler.Autodiff;
using TinyTrain.Compiler.Lowering;
using TinyTrain.Data;
using TinyTrain.Ir;

namespace TinyTrain.Runtime.Training;

/// <summary>
/// Measures <see cref="TrainingOptions.FeatureRms"/>, the scale of the features the new head reads (the input of the
/// model's classifier). Backbones differ by three orders of magnitude here (mean ||x||^2 of 1 for vww_96_int8's
/// post-ReLU pool, about 300 for mcunet's linear bottleneck, 1,067 for mltk_image_example1), and a linear head's SGD
/// step moves the logits by lr ||x||^2 g: too little to change an int8 weight by one step, or straight to the clamp.
/// Every command that compiles a training step from data measures it here, the same way.
/// </summary>
public static class FeatureScale
{
    /// <summary>The training images measured: the first this many of the run's training order.</summary>
    public const int Images = 64;

    /// <summary>
    /// sqrt(mean over the first <see cref="Images"/> of <paramref name="training"/> of ||x||^2 / D), x the dequantised
    /// features of the unaugmented image as <paramref name="reader"/> encodes it; 1 when they are all zero (nothing
    /// to scale by). Deterministic: the same model, images and encoding give the same value.
    /// </summary>
    public static double Rms(Graph model, BatchReader reader, IReadOnlyList<int> training)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(training);
        var (_, features) = TrainingGraph.Features(model);
        while (features.Op == Ops.Reshape) features = features.Input(0); // same values; the lowering aliases a reshape
        var program = InferenceLowering.Lower(new Graph(model.Name, model.Inputs, [features]));
        var executor = new Executor(program);
        var output = new byte[program.Output.Bytes];
        var real = features.Type.DType == DType.Float32;
        var quant = features.Quant;
        if (!real && (quant is null || features.Type.DType != DType.Int8))
            throw new InvalidOperationException($"{features.Name} is {features.Type.DType.Name()} without int8 quantisation");
        var sum = 0.0;
        var count = 0;
        var indices = training.Take(Images).ToArray();
        foreach (var batch in reader.Batches(indices, 16, augment: false, epoch: 0))
        {
            for (var i = 0; i < batch.Count; i++)
            {
                executor.Run(batch.Inputs[i], MemoryMarshal.Cast<byte, sbyte>(output.AsSpan()));
                if (real)
                {
                    foreach (var x in MemoryMarshal.Cast<byte, float>(output.AsSpan())) sum += (double)x * x;
                }
                else
                {
                    foreach (var q in MemoryMarshal.Cast<byte, sbyte>(output.AsSpan()))
                    {
                        var x = (q - quant!.ZeroPoint) * quant.Scale;
                        sum += x * x;
                    }
                }
                count++;
            }
        }
        var elements = real ? output.Length / 4 : output.Length;
        var rms = Math.Sqrt(sum / Math.Max(1, count) / elements);
        return rms > 0 && double.IsFinite(rms) ? rms : 1;
    }
}
