using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using TinyTrain.Ir;

namespace TinyTrain.Tests.Formats.Export;

/// <summary>Runs an exported ONNX model in ONNX Runtime (CPU) on int8 inputs shaped as the IR's input.</summary>
public sealed class OnnxRuntimeRunner : IDisposable
{
    private readonly InferenceSession session;
    private readonly string input;
    private readonly int[] dims;

    public OnnxRuntimeRunner(byte[] model, Shape inputShape, GraphOptimizationLevel level = GraphOptimizationLevel.ORT_DISABLE_ALL)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = level, IntraOpNumThreads = 1 };
        session = new InferenceSession(model, options);
        input = session.InputMetadata.Keys.Single();
        dims = [.. inputShape.Dims];
    }

    /// <summary>The input's bytes, as int8 or (for a model whose input is uint8) as uint8.</summary>
    public sbyte[] Run(sbyte[] image)
    {
        var value = session.InputMetadata[input].ElementDataType == TensorElementType.UInt8
            ? NamedOnnxValue.CreateFromTensor(input, new DenseTensor<byte>(image.Select(b => (byte)b).ToArray(), dims))
            : NamedOnnxValue.CreateFromTensor(input, new DenseTensor<sbyte>(image.ToArray(), dims));
        using var results = session.Run([value]);
        return [.. results.Single().AsTensor<sbyte>()];
    }

    public void Dispose() => session.Dispose();
}
