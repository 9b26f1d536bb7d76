using System.Runtime.InteropServices;
using TinyTrain.Ir;

namespace TinyTrain.Formats.Onnx;

/// <summary>
/// Writes an int8 IR graph as an ONNX model (opset 13, standard domain only). Convolutions and fully connected layers
/// are QLinearConv with per-channel weights and int32 biases, whose float32 requantisation with round half to even
/// is the paper's; a clamp narrower than int8 (a fused ReLU) is an int8 Clip. Adds, the mean and softmax are QDQ
/// (DequantizeLinear -> float op -> QuantizeLinear), which for an add is the paper's float32 arithmetic exactly.
/// Average pools run on the raw integers in float (Cast, AveragePool, then the IR's rounding), which is exact.
/// ONNX convolutions are NCHW: inside the model every 4-D tensor is NCHW, and the graph's inputs and outputs stay
/// NHWC as in the IR (a Transpose at each end).
/// </summary>
public sealed partial class OnnxExporter
{
    public const int Opset = 13;
    public const long IrVersion = 7;

    private readonly Graph graph;
    private readonly List<ProtoMessage> nodes = [];
    private readonly List<ProtoMessage> initializers = [];
    private readonly List<ProtoMessage> inputs = [];
    private readonly List<ProtoMessage> outputs = [];
    private readonly HashSet<string> names = [];
    private readonly Dictionary<Node, string> values = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<Node, string> irOrder = new(ReferenceEqualityComparer.Instance);

    private OnnxExporter(Graph graph)
    {
        this.graph = graph;
        foreach (var node in graph.Nodes) names.Add(node.Name);
    }

    public static byte[] Write(Graph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        return new OnnxExporter(graph).Run();
    }

    /// <summary>Writes the model to <paramref name="path"/> atomically (temporary file, then rename).</summary>
    public static void Save(Graph graph, string path) => AtomicFile.WriteAllBytes(path, Write(graph));

    private byte[] Run()
    {
        foreach (var input in graph.Inputs)
        {
            if (input.Type.DType is not (DType.Int8 or DType.UInt8)) throw Error($"input {input.Name} is {input.Type.DType.Name()}; only int8 graphs (with int8 or uint8 inputs) can be exported");
            inputs.Add(ValueInfo(input.Name, input.Type.DType == DType.UInt8 ? OnnxType.UInt8 : OnnxType.Int8, input.Shape.Dims));
            values[input] = input.Shape.Rank == 4 ? Transpose(input.Name, Fresh(input.Name + "/nchw"), ToNchw) : input.Name;
        }
        foreach (var node in graph.Operations)
        {
            if (node.Type.DType != DType.Int8 && node.Op != Ops.Quantize) throw Error($"{node.Name} ({node.Op}) computes {node.Type.DType.Name()}; only int8 graphs can be exported (an fp32 head or fp32 model cannot)");
            values[node] = Operator(node);
        }
        foreach (var output in graph.Outputs)
        {
            var value = Value(output);
            if (output.Shape.Rank == 4) Transpose(value, output.Name, ToNhwc);
            else if (value != output.Name) Emit("Identity", [value], output.Name);
            outputs.Add(ValueInfo(output.Name, output.Type.DType == DType.UInt8 ? OnnxType.UInt8 : OnnxType.Int8, output.Shape.Dims));
        }

        var g = new ProtoMessage().String(GraphProtoF.Name, graph.Name);
        foreach (var n in nodes) g.Message(GraphProtoF.Node, n);
        foreach (var i in initializers) g.Message(GraphProtoF.Initializer, i);
        foreach (var i in inputs) g.Message(GraphProtoF.Input, i);
        foreach (var o in outputs) g.Message(GraphProtoF.Output, o);
        return new ProtoMessage()
            .Int64(ModelProtoF.IrVersion, IrVersion)
            .String(ModelProtoF.ProducerName, "TinyTrain")
            .String(ModelProtoF.ProducerVersion, "0.1")
            .Message(ModelProtoF.Graph, g)
            .Message(ModelProtoF.OpsetImport, new ProtoMessage().String(OperatorSetIdF.Domain, "").Int64(OperatorSetIdF.Version, Opset))
            .ToArray();
    }

    private static readonly long[] ToNchw = [0, 3, 1, 2];
    private static readonly long[] ToNhwc = [0, 2, 3, 1];

    private string Value(Node node) =>
        values.TryGetValue(node, out var value) ? value : throw Error($"{node.Name} ({node.Op}) is used as an activation but is not computed by an op");

    /// <summary>A node's values in the IR's (NHWC) element order: 4-D tensors are transposed back from NCHW once.</summary>
    private string IrOrder(Node node)
    {
        if (node.Shape.Rank != 4) return Value(node);
        if (!irOrder.TryGetValue(node, out var value)) irOrder[node] = value = Transpose(Value(node), Fresh(node.Name + "/nhwc"), ToNhwc);
        return value;
    }

    /// <summary>The ONNX value an op writes for a node: its name, or name/nchw for a 4-D tensor (the NHWC name is the graph output's).</summary>
    private string Target(Node node) => node.Shape.Rank == 4 ? Fresh(node.Name + "/nchw") : node.Name;

    private string Transpose(string input, string output, long[] perm) => Emit("Transpose", [input], output, Attr.List("perm", perm));

    private string Fresh(string name)
    {
        var candidate = name;
        for (var i = 1; !names.Add(candidate); i++) candidate = $"{name}_{i}";
        return candidate;
    }

    private readonly record struct Attr(string Name, int Type, long I = 0, float F = 0, long[]? Ints = null)
    {
        public static Attr Int(string name, long value) => new(name, AttributeProtoF.TypeInt, I: value);
        public static Attr Float(string name, float value) => new(name, AttributeProtoF.TypeFloat, F: value);
        public static Attr List(string name, params long[] values) => new(name, AttributeProtoF.TypeInts, Ints: values);
    }

    private string Emit(string op, string?[] operands, string output, params Attr[] attributes)
    {
        var node = new ProtoMessage();
        foreach (var operand in operands) node.String(NodeProtoF.Input, operand ?? "");
        node.String(NodeProtoF.Output, output).String(NodeProtoF.Name, output).String(NodeProtoF.OpType, op);
        foreach (var a in attributes)
        {
            var attribute = new ProtoMessage().String(AttributeProtoF.Name, a.Name).Int64(AttributeProtoF.Type, a.Type);
            switch (a.Type)
            {
                case AttributeProtoF.TypeInt: attribute.Int64(AttributeProtoF.I, a.I); break;
                case AttributeProtoF.TypeFloat: attribute.Float(AttributeProtoF.F, a.F); break;
                default: foreach (var v in a.Ints!) attribute.Int64(AttributeProtoF.Ints, v); break;
            }
            node.Message(NodeProtoF.Attribute, attribute);
        }
        nodes.Add(node);
        return output;
    }

    private string Initializer(string name, OnnxType type, IReadOnlyList<int> dims, ReadOnlySpan<byte> raw)
    {
        var tensor = new ProtoMessage();
        foreach (var d in dims) tensor.Int64(TensorProtoF.Dims, d);
        tensor.Int64(TensorProtoF.DataType, (long)type).String(TensorProtoF.Name, name = Fresh(name)).Bytes(TensorProtoF.RawData, raw);
        initializers.Add(tensor);
        return name;
    }

    private string Floats(string name, float[] values, bool scalar = false) =>
        Initializer(name, OnnxType.Float, scalar ? [] : [values.Length], MemoryMarshal.AsBytes(values.AsSpan()));

    private string Int8s(string name, sbyte[] values, bool scalar = false) =>
        Initializer(name, OnnxType.Int8, scalar ? [] : [values.Length], MemoryMarshal.AsBytes(values.AsSpan()));

    private string Int64s(string name, long[] values) => Initializer(name, OnnxType.Int64, [values.Length], MemoryMarshal.AsBytes(values.AsSpan()));

    private static ProtoMessage ValueInfo(string name, OnnxType type, IEnumerable<int> dims)
    {
        var shape = new ProtoMessage();
        foreach (var d in dims) shape.Message(TypeProtoF.Dim, new ProtoMessage().Int64(TypeProtoF.DimValue, d));
        var tensor = new ProtoMessage().Int64(TypeProtoF.ElemType, (long)type).Message(TypeProtoF.Shape, shape);
        return new ProtoMessage().String(ValueInfoF.Name, name).Message(ValueInfoF.Type, new ProtoMessage().Message(TypeProtoF.TensorType, tensor));
    }

    private ExportException Error(string message) => new($"{graph.Name}: cannot export to ONNX: {message}");
}
