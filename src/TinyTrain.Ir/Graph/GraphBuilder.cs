using System.Collections.Immutable;

namespace TinyTrain.Ir;

/// <summary>
/// Builds nodes with their output types inferred by their op (<see cref="Op.InferType"/>); the caller supplies the
/// output quantisation, which an int8 graph always fixes ahead of time.
/// </summary>
public sealed class GraphBuilder
{
    private readonly HashSet<string> names = [];

    public GraphBuilder() { }

    /// <summary>A builder that adds to an existing graph: its names are taken.</summary>
    public GraphBuilder(IEnumerable<string> reservedNames) => names = [.. reservedNames];

    public bool IsNameTaken(string name) => names.Contains(name);

    public Node Input(string name, DType type, Shape shape, QuantParams? quant) =>
        Add(new Node(Ops.Input, [], OpAttrs.Empty, new TensorType(type, shape, quant), name));

    public Node Constant(string name, TensorData data, Shape shape, QuantParams? quant = null)
    {
        if (data.Length != shape.Elements)
            throw new ArgumentException($"{name}: {data.Length} values for shape {shape}");
        return Add(new Node(Ops.Constant, [], new ConstantAttrs(data), new TensorType(data.DType, shape, quant), name));
    }

    public Node Op(Op op, string name, OpAttrs attrs, QuantParams? outputQuant, params Node?[] inputs)
    {
        if (op.IsLeaf) throw new ArgumentException($"{name}: use Input or Constant for a {op}");
        var type = op.InferType(attrs, new Operands(inputs, name, op), outputQuant);
        return Add(new Node(op, [.. inputs], attrs, type, name));
    }

    public Node Conv2D(string name, Node input, Node filter, Node? bias, Conv2DAttrs attrs, QuantParams outputQuant) =>
        Op(Ops.Conv2D, name, attrs, outputQuant, input, filter, bias);

    public Node DepthwiseConv2D(string name, Node input, Node filter, Node? bias, DepthwiseConv2DAttrs attrs, QuantParams outputQuant) =>
        Op(Ops.DepthwiseConv2D, name, attrs, outputQuant, input, filter, bias);

    public Node FullyConnected(string name, Node input, Node filter, Node? bias, FullyConnectedAttrs attrs, QuantParams outputQuant) =>
        Op(Ops.FullyConnected, name, attrs, outputQuant, input, filter, bias);

    public Node Add(string name, Node a, Node b, AddAttrs attrs, QuantParams outputQuant) =>
        Op(Ops.Add, name, attrs, outputQuant, a, b);

    public Node AveragePool2D(string name, Node input, AveragePool2DAttrs attrs, QuantParams outputQuant) =>
        Op(Ops.AveragePool2D, name, attrs, outputQuant, input);

    public Node Reshape(string name, Node input, Shape shape) =>
        Op(Ops.Reshape, name, new ReshapeAttrs(shape), input.Quant, input);

    public Graph Build(string name, Node input, Node output) => Build(name, [input], [output]);

    public Graph Build(string name, ImmutableArray<Node> inputs, ImmutableArray<Node> outputs)
    {
        var graph = new Graph(name, inputs, outputs);
        GraphVerifier.ThrowIfInvalid(graph);
        return graph;
    }

    private Node Add(Node node)
    {
        if (!names.Add(node.Name)) throw new ArgumentException($"duplicate node name '{node.Name}'");
        return node;
    }
}
