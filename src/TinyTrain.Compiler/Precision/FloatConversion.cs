using TinyTrain.Ir;

namespace TinyTrain.Compiler.Precision;

/// <summary>
/// The fp32 mode of an int8 graph, for baselines (the paper's "fp32 SGD-M" rows): the same ops on real values.
/// Filters become s_w[c] * q, biases s_w[c] * s_x * b, each clamp its real range, and the int8 image is dequantised
/// at the input. Every fp32 tensor keeps the quantisation of the int8 tensor it replaces, as a record of its range
/// (see <see cref="ClampRange.Real"/>); no rounding happens anywhere.
/// </summary>
public static class FloatConversion
{
    public static Graph Convert(Graph model) => Convert(model, out _);

    /// <param name="map">Each node of the model to the node that replaces it.</param>
    public static Graph Convert(Graph model, out IReadOnlyDictionary<Node, Node> map)
    {
        var replaced = new Dictionary<Node, Node>();
        map = replaced;
        var b = new GraphBuilder(model.Nodes.Select(n => n.Name));
        foreach (var node in model.Nodes)
        {
            replaced[node] = node.Op switch
            {
                { IsLeaf: true } => node, // a constant is converted where used: its scale depends on its op
                ConvLikeOp op => ConvLike(b, op, node, replaced),
                { HasFloatMode: true } => b.Op(node.Op, Fresh(b, node.Name), node.Attrs, node.Quant, [.. node.Inputs.Select(i => Real(b, replaced[i!]))]),
                _ => throw new CompilationException($"{node.Name}: the fp32 mode does not support {node.Op} yet"),
            };
        }
        // Same name: the model is the same, only its arithmetic differs (paper schemes are found by model name).
        return new Graph(model.Name, model.Inputs, [.. model.Outputs.Select(o => replaced[o])]);
    }

    /// <summary>An int8 activation as a real value: graph inputs are dequantised once, converted ops already are real.</summary>
    private static Node Real(GraphBuilder b, Node node) => node.Type.DType == DType.Int8
        ? b.Op(Ops.Dequantize, Fresh(b, node.Name + ".real"), new DequantizeAttrs(), node.Quant, node)
        : node;

    private static Node ConvLike(GraphBuilder b, ConvLikeOp op, Node node, Dictionary<Node, Node> map)
    {
        var (x, filter, bias) = (node.Input(0), node.Input(1), node.OptionalInput(2));
        var real = Real(b, map[x]);
        var weights = filter.ConstantData.As<sbyte>();
        var realWeights = new float[weights.Length];
        for (var i = 0; i < weights.Length; i++) realWeights[i] = (float)(filter.Quant!.ScaleAt(op.OutputChannelOf(filter.Shape, i)) * weights[i]);
        var newFilter = b.Constant(Fresh(b, filter.Name + ".real"), TensorData.From(realWeights), filter.Shape);
        Node? newBias = null;
        if (bias is not null)
        {
            var values = bias.ConstantData.As<int>();
            var realBias = new float[values.Length];
            for (var c = 0; c < values.Length; c++) realBias[c] = (float)(filter.Quant!.ScaleAt(c) * x.Quant!.Scale * values[c]);
            newBias = b.Constant(Fresh(b, bias.Name + ".real"), TensorData.From(realBias), bias.Shape);
        }
        return b.Op(op, Fresh(b, node.Name), node.Attrs, node.Quant, real, newFilter, newBias);
    }

    private static string Fresh(GraphBuilder b, string wanted)
    {
        var name = wanted + ".fp32";
        for (var i = 2; b.IsNameTaken(name); i++) name = $"{wanted}.fp32#{i}";
        return name;
    }
}
