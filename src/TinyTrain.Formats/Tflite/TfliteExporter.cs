using TinyTrain.Ir;

namespace TinyTrain.Formats.Tflite;

/// <summary>
/// Maps an int8 IR graph to a .tflite model (the inverse of <see cref="TfliteImporter"/>): one tensor per node with
/// its quantisation (filters per channel, biases with scale x_scale * w_scale[c] as TFLite expects), one operator per
/// op, clamps as fused activations. A graph imported from a .tflite comes back as the same graph. A paper model's
/// numerics are not TFLite's (float32 requantisation, half-to-even pool): the file runs with TFLite's fixed point,
/// which <see cref="InexactOps"/> lists. Padding that SAME/VALID cannot express becomes an explicit PAD (with the
/// zero point, which is what the IR's padding means).
/// </summary>
public sealed partial class TfliteExporter
{
    private readonly Graph graph;
    private readonly List<TfliteTensor> tensors = [];
    private readonly List<byte[]> buffers = [[]];
    private readonly List<TfliteOperatorCode> codes = [];
    private readonly List<TfliteOperator> operators = [];
    private readonly Dictionary<Node, int> tensorOf = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<string> names = [];

    private TfliteExporter(Graph graph)
    {
        this.graph = graph;
        foreach (var node in graph.Nodes) names.Add(node.Name);
    }

    /// <summary>The model as .tflite records; throws <see cref="ExportException"/> for what TFLite cannot hold.</summary>
    public static TfliteFile ToFile(Graph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        return new TfliteExporter(graph).Run();
    }

    public static byte[] Write(Graph graph) => TfliteWriter.Write(ToFile(graph));

    /// <summary>Writes the model to <paramref name="path"/> atomically (temporary file, then rename).</summary>
    public static void Save(Graph graph, string path) => AtomicFile.WriteAllBytes(path, Write(graph));

    /// <summary>
    /// The ops whose numerics TFLite does not reproduce bit for bit: float32 requantisation (TFLite has only fixed
    /// point) and half-to-even average pooling (TFLite rounds half away from zero). Empty for a graph from a .tflite.
    /// </summary>
    public static IReadOnlyList<string> InexactOps(Graph graph) =>
        [.. graph.Operations.Where(n => n.Attrs switch
        {
            Conv2DAttrs a => a.Requant == RequantKind.Float,
            DepthwiseConv2DAttrs a => a.Requant == RequantKind.Float,
            FullyConnectedAttrs a => a.Requant == RequantKind.Float,
            AddAttrs a => a.Requant == RequantKind.Float,
            AveragePool2DAttrs a => a.Rounding == AverageRounding.HalfToEven,
            _ => false,
        }).Select(n => n.Name)];

    private TfliteFile Run()
    {
        foreach (var input in graph.Inputs) tensorOf[input] = AddTensor(input.Name, input, buffer: 0);
        foreach (var node in graph.Operations) tensorOf[node] = Operator(node);
        return new TfliteFile
        {
            SourceName = graph.Name,
            Version = TfliteReader.SchemaVersion,
            OperatorCodes = codes,
            Subgraphs =
            [
                new TfliteSubgraph
                {
                    Tensors = tensors,
                    Inputs = [.. graph.Inputs.Select(n => tensorOf[n])],
                    Outputs = [.. graph.Outputs.Select(Activation)],
                    Operators = operators,
                    Name = "main",
                },
            ],
            Buffers = buffers,
            Description = "TinyTrain export",
        };
    }

    private int AddTensor(string name, Node node, int buffer, QuantParams? quant = null, TfliteQuantization? explicitQuant = null)
    {
        var type = node.Type.DType switch
        {
            DType.Int8 => TfliteTensorType.INT8,
            DType.UInt8 => TfliteTensorType.UINT8,
            DType.Int32 => TfliteTensorType.INT32,
            _ => throw Error($"{node.Name} is {node.Type.DType.Name()}; an int8 .tflite holds only int8 tensors and int32 biases (an fp32 head or fp32 model cannot be exported)"),
        };
        quant ??= node.Quant;
        tensors.Add(new TfliteTensor
        {
            Name = name,
            Shape = [.. node.Shape.Dims],
            Type = type,
            Buffer = buffer,
            Quantization = explicitQuant ?? (quant is null ? null : Quantization(quant)),
        });
        return tensors.Count - 1;
    }

    private static TfliteQuantization Quantization(QuantParams q) =>
        new([.. q.Scales.Select(s => (float)s)], [.. Enumerable.Range(0, q.Scales.Length).Select(c => (long)q.ZeroPointAt(c))], q.IsPerTensor ? 0 : q.Axis);

    private int Activation(Node node) =>
        tensorOf.TryGetValue(node, out var index) ? index : throw Error($"{node.Name} ({node.Op}) is used as an activation but is not computed by an op");

    /// <summary>A constant's tensor, created at its first use (a bias needs its op's scales for its quantisation).</summary>
    private int Constant(Node node, TfliteQuantization? quant = null)
    {
        if (tensorOf.TryGetValue(node, out var index)) return index;
        buffers.Add(node.ConstantData.Bytes.ToArray());
        return tensorOf[node] = AddTensor(node.Name, node, buffers.Count - 1, explicitQuant: quant);
    }

    /// <summary>An int32 constant that only this export needs (reshape shape, mean axes, pad amounts).</summary>
    private int IntConstant(string name, int[] values, params int[] shape)
    {
        buffers.Add(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
        tensors.Add(new TfliteTensor { Name = FreshName(name), Shape = shape, Type = TfliteTensorType.INT32, Buffer = buffers.Count - 1 });
        return tensors.Count - 1;
    }

    private string FreshName(string name)
    {
        var candidate = name;
        for (var i = 1; !names.Add(candidate); i++) candidate = $"{name}_{i}";
        return candidate;
    }

    private int Emit(TfliteBuiltinOperator op, int version, int[] inputs, int output, TfliteBuiltinOptionsType optionsType, TfliteOptions? options)
    {
        var code = codes.FindIndex(c => c.BuiltinOperator == op);
        if (code < 0)
        {
            codes.Add(new TfliteOperatorCode { BuiltinOperator = op, Version = version });
            code = codes.Count - 1;
        }
        operators.Add(new TfliteOperator
        {
            OpcodeIndex = code,
            Inputs = inputs,
            Outputs = [output],
            BuiltinOptionsType = optionsType,
            Options = options,
        });
        return output;
    }

    private ExportException Error(string message) => new($"{graph.Name}: cannot export to .tflite: {message}");
}
