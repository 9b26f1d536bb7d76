using System.Runtime.InteropServices;
using TinyTrain.Compiler.Lowered;
using TinyTrain.Compiler.Lowering;
using TinyTrain.Kernels;
using TinyTrain.Runtime;

namespace TinyTrain.CodeGen.Verification;

/// <summary>One training step for a generated program's driver: an int8 image, its label and the learning rate.</summary>
public sealed record DeviceStep(sbyte[] Image, int Label, float LearningRate);

/// <summary>
/// The request and result files of the generated driver (Target/main.c), and the result the host executor computes for
/// the same request: a device run is correct when its result file equals <see cref="Expected"/> byte for byte.
/// </summary>
public static class DeviceSteps
{
    private static ReadOnlySpan<byte> RequestMagic => "TTS1"u8;
    private static ReadOnlySpan<byte> ResultMagic => "TTR1"u8;

    /// <summary>Writes steps.bin (atomically): the training steps, then the images to run inference on afterwards.</summary>
    public static void Write(string path, TrainingProgram training, IReadOnlyList<DeviceStep> steps, IReadOnlyList<sbyte[]> inferences)
    {
        var inputBytes = training.Program.Tensors[training.Image].Bytes;
        var temporary = path + ".tmp";
        using (var file = new BinaryWriter(File.Create(temporary)))
        {
            file.Write(RequestMagic);
            file.Write(steps.Count);
            file.Write(inferences.Count);
            file.Write(inputBytes);
            foreach (var step in steps)
            {
                Check(step.Image, inputBytes);
                file.Write(MemoryMarshal.AsBytes(step.Image.AsSpan()));
                file.Write(step.Label);
                file.Write(step.LearningRate);
            }
            foreach (var image in inferences)
            {
                Check(image, inputBytes);
                file.Write(MemoryMarshal.AsBytes(image.AsSpan()));
            }
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>What the driver must write for these steps: the host executor runs the same program, step for step.</summary>
    public static byte[] Expected(TrainingProgram training, IReadOnlyList<DeviceStep> steps, IReadOnlyList<sbyte[]> inferences)
    {
        var program = training.Program;
        var executor = new Executor(program);
        var lossCall = program.Calls.IndexOf(program.Calls.OfType<SoftmaxCrossEntropyCall>().Single());
        using var result = new MemoryStream();
        using var output = new BinaryWriter(result);
        output.Write(ResultMagic);
        foreach (var step in steps)
        {
            executor.LearningRate = step.LearningRate;
            executor.SetImage(training.Image, step.Image);
            executor.SetLabel(training.Label, step.Label);
            executor.Run();
            output.Write(executor.Floats(training.Loss)[0]);
            output.Write(SoftmaxCrossEntropy.Predict(executor.Floats(training.Logits)));
        }
        foreach (var t in training.State) output.Write(executor.TensorBytes(t.Id));
        foreach (var image in inferences)
        {
            executor.SetImage(training.Image, image);
            executor.RunPrefix(lossCall);
            var logits = executor.Floats(training.Logits);
            output.Write(SoftmaxCrossEntropy.Predict(logits));
            output.Write(MemoryMarshal.AsBytes(logits));
        }
        output.Flush();
        return result.ToArray();
    }

    /// <summary>Null when a device's result equals the host's; else where they first differ, named by step, tensor or inference.</summary>
    public static string? Difference(TrainingProgram training, ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual, int steps, int inferences)
    {
        if (actual.SequenceEqual(expected)) return null;
        if (actual.Length != expected.Length) return $"the result has {actual.Length} bytes, the host's {expected.Length}";
        var at = actual.CommonPrefixLength(expected);
        var sections = new List<(string Name, int Bytes)> { ("the header", 4) };
        for (var i = 0; i < steps; i++) sections.Add(($"step {i} (loss, predicted class)", 8));
        foreach (var t in training.State) sections.Add(($"state tensor {t.Name}", t.Bytes));
        var classes = training.Program.Tensors[training.Logits].Bytes / 4;
        for (var i = 0; i < inferences; i++) sections.Add(($"inference {i} (class, logits)", 4 + 4 * classes));
        var start = 0;
        foreach (var (name, bytes) in sections)
        {
            if (at < start + bytes) return $"{name} differs at byte {at - start}";
            start += bytes;
        }
        return $"the results differ at byte {at}";
    }

    private static void Check(sbyte[] image, int bytes)
    {
        if (image.Length != bytes) throw new ArgumentException($"an image of {image.Length} bytes for an input of {bytes}");
    }
}
