namespace TinyTrain.Ir;

/// <summary>
/// Checks the IR's invariants: types agree with shape inference, int8 tensors are quantised, filters and
/// biases match their op's channels, every Input node is a graph input. Run after import and after each pass.
/// </summary>
public static class GraphVerifier
{
    public static IReadOnlyList<string> Verify(Graph graph)
    {
        var errors = new List<string>();
        var inputs = new HashSet<Node>(graph.Inputs);
        foreach (var node in graph.Nodes)
        {
            try
            {
                VerifyNode(node, inputs, errors);
            }
            catch (Exception e) when (e is IrException or InvalidCastException or InvalidOperationException)
            {
                errors.Add($"{node.Name}: {e.Message}");
            }
        }
        return errors;
    }

    public static void ThrowIfInvalid(Graph graph)
    {
        var errors = Verify(graph);
        if (errors.Count > 0) throw new IrException($"graph '{graph.Name}' is invalid: {string.Join("; ", errors.Take(5))}");
    }

    private static void VerifyNode(Node node, HashSet<Node> inputs, List<string> errors)
    {
        void Check(bool ok, string message)
        {
            if (!ok) errors.Add($"{node.Name}: {message}");
        }

        if (node.Kind == OpKind.Input)
        {
            Check(inputs.Contains(node), "input node is not a graph input");
            return;
        }
        if (node.Kind == OpKind.Constant)
        {
            Check(node.ConstantData.Length == node.Shape.Elements, "constant data does not fill its shape");
            return;
        }

        Check(node.Inputs.Length == OpTraits.InputCount(node.Kind), $"{node.Kind} takes {OpTraits.InputCount(node.Kind)} operands, has {node.Inputs.Length}");
        var inferred = ShapeInference.Infer(node.Kind, node.Attrs, node.Inputs, node.Quant, node.Name);
        Check(inferred.Shape == node.Shape && inferred.DType == node.Type.DType, $"type {node.Type} disagrees with inferred {inferred}");
        if (OpTraits.IsBackward(node.Kind)) return; // gradients are fp32; an update's output is its parameter
        if (node.Type.DType == DType.Int8) Check(node.Quant is { IsPerTensor: true, Scale: > 0 }, "int8 output needs a positive per-tensor scale");
        if (node.Type.DType == DType.Int8 && node.Kind != OpKind.Reshape)
        {
            foreach (var input in node.Inputs.Take(node.Kind == OpKind.Add ? 2 : 1))
            {
                Check(input is { Type.DType: DType.Int8, Quant.IsPerTensor: true }, "activation operand must be quantised int8");
            }
        }
        if (!OpTraits.IsConvLike(node.Kind)) return;

        // int8 ops take int8 filters with scales and int32 biases; fp32 ops (an fp32 head) take fp32 ones.
        var integer = node.Type.DType == DType.Int8;
        var filter = node.Input(1);
        var outChannels = node.Shape[-1];
        Check(filter.Kind == OpKind.Constant && filter.Type.DType == node.Input(0).Type.DType, $"filter must be a constant {node.Input(0).Type.DType.Name()} tensor");
        if (integer)
        {
            Check(filter.Quant is not null && (filter.Quant.IsPerTensor || filter.Quant.Scales.Length == outChannels),
                $"filter needs one scale or {outChannels} scales, has {filter.Quant?.Scales.Length ?? 0}");
        }
        if (node.OptionalInput(2) is { } bias)
        {
            var biasType = integer ? DType.Int32 : DType.Float32;
            Check(bias.Kind == OpKind.Constant && bias.Type.DType == biasType, $"bias must be a constant {biasType.Name()} tensor");
            Check(bias.Shape.Elements == outChannels, $"bias has {bias.Shape.Elements} values for {outChannels} channels");
        }
    }
}
