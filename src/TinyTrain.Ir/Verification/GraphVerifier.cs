namespace TinyTrain.Ir;

/// <summary>
/// Checks the IR's invariants: types agree with each op's type rule, int8 tensors are quantised, every Input node is
/// a graph input, and whatever an op checks of its own (<see cref="Op.Verify"/>). Run after import and after each pass.
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
            catch (IrException e)
            {
                errors.Add(e.Message.StartsWith(node.Name + ":", StringComparison.Ordinal) ? e.Message : $"{node.Name}: {e.Message}");
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

        var op = node.Op;
        if (op == Ops.Input)
        {
            Check(inputs.Contains(node), "input node is not a graph input");
            return;
        }
        if (op.IsLeaf)
        {
            op.Verify(node, Check);
            return;
        }

        Check(node.Inputs.Length == op.Arity, $"{op} takes {op.Arity} operands, has {node.Inputs.Length}");
        var inferred = op.InferType(node.Attrs, new Operands(node.Inputs, node.Name, op), node.Quant);
        Check(inferred.Shape == node.Shape && inferred.DType == node.Type.DType, $"type {node.Type} disagrees with inferred {inferred}");
        if (op.IsBackward) return; // gradients are fp32; an update's output is its parameter
        if (node.Type.DType == DType.Int8)
        {
            Check(node.Quant is { IsPerTensor: true, Scale: > 0 }, "int8 output needs a positive per-tensor scale");
            foreach (var input in node.Inputs.Take(op.ActivationOperands))
            {
                Check(input is { Type.DType: DType.Int8, Quant.IsPerTensor: true }, "activation operand must be quantised int8");
            }
        }
        op.Verify(node, Check);
    }
}
