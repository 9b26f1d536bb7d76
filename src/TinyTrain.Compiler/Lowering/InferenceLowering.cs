using System.Collections.Immutable;
using TinyTrain.Compiler.Lowered;
using TinyTrain.Compiler.Memory;
using TinyTrain.Ir;

namespace TinyTrain.Compiler.Lowering;

/// <summary>
/// Lowers an int8 inference graph to a <see cref="Program"/>: one kernel call per op in topological order,
/// constants kept as data, every activation (input and output included) placed in one planned arena.
/// Reshapes are views: they share their operand's tensor and emit no call.
/// </summary>
public static class InferenceLowering
{
    public static Program Lower(Graph graph)
    {
        GraphVerifier.ThrowIfInvalid(graph);
        foreach (var input in graph.Inputs)
        {
            if (input.Shape.Rank > 0 && input.Shape[0] != 1)
                throw new CompilationException($"input '{input.Name}' has batch {input.Shape[0]}; programs run one image at a time (batch 1)");
        }

        var tensors = new List<(string Name, DType Type, int Bytes, TensorData? Data)>();
        var tensorOf = new Dictionary<Node, int>();
        int NewTensor(Node node, TensorData? data = null)
        {
            if (node.Type.SizeInBytes > int.MaxValue) throw new CompilationException($"{graph.Name}: {node.Name}: tensor of {node.Type.SizeInBytes} bytes is too large");
            tensors.Add((node.Name, node.Type.DType, (int)node.Type.SizeInBytes, data));
            return tensorOf[node] = tensors.Count - 1;
        }

        var calls = ImmutableArray.CreateBuilder<KernelCall>();
        foreach (var node in graph.Nodes)
        {
            switch (node.Kind)
            {
                case OpKind.Input:
                    NewTensor(node);
                    break;
                case OpKind.Constant:
                    NewTensor(node, node.ConstantData);
                    break;
                case OpKind.Reshape:
                    tensorOf[node] = tensorOf[node.Input(0)];
                    break;
                default:
                    var operands = node.Inputs.Select(i => i is null ? -1 : tensorOf[i]).ToArray();
                    try
                    {
                        calls.Add(Call(node, operands, NewTensor(node)));
                    }
                    catch (ArgumentException e)
                    {
                        // e.g. scales whose ratio overflows the requantisation multiplier
                        throw new CompilationException($"{graph.Name}: {node.Name}: {e.Message.ReplaceLineEndings(" ")}");
                    }
                    break;
            }
        }

        var inputs = graph.Inputs.Select(n => tensorOf[n]).ToImmutableArray();
        var outputs = graph.Outputs.Select(n => tensorOf[n]).ToImmutableArray();
        return Plan(graph.Name, tensors, calls.ToImmutable(), inputs, outputs);
    }

    private static KernelCall Call(Node node, int[] operands, int output) => node.Kind switch
    {
        OpKind.Conv2D => new Conv2DCall(node.Name, KernelParamsBuilder.Conv2D(node), operands[0], operands[1], operands[2], output),
        OpKind.DepthwiseConv2D => new DepthwiseConv2DCall(node.Name, KernelParamsBuilder.DepthwiseConv2D(node), operands[0], operands[1], operands[2], output),
        OpKind.FullyConnected => new FullyConnectedCall(node.Name, KernelParamsBuilder.FullyConnected(node), operands[0], operands[1], operands[2], output),
        OpKind.Add => new AddCall(node.Name, KernelParamsBuilder.Add(node), operands[0], operands[1], output),
        OpKind.AveragePool2D => new AveragePool2DCall(node.Name, KernelParamsBuilder.AveragePool2D(node), operands[0], output),
        OpKind.Mean => new MeanCall(node.Name, KernelParamsBuilder.Mean(node), operands[0], output),
        OpKind.Softmax => new SoftmaxCall(node.Name, KernelParamsBuilder.Softmax(node), operands[0], output),
        OpKind.Pad => new PadCall(node.Name, KernelParamsBuilder.Pad(node), operands[0], output),
        _ => throw new CompilationException($"{node.Name}: no kernel for {node.Kind}"),
    };

    /// <summary>Lifetimes from the call order, then one arena. Inputs live from the start, outputs to the end.</summary>
    private static Program Plan(string name, List<(string Name, DType Type, int Bytes, TensorData? Data)> tensors,
        ImmutableArray<KernelCall> calls, ImmutableArray<int> inputs, ImmutableArray<int> outputs)
    {
        var first = Enumerable.Repeat(int.MaxValue, tensors.Count).ToArray();
        var last = Enumerable.Repeat(-1, tensors.Count).ToArray();
        for (var i = 0; i < calls.Length; i++)
        {
            foreach (var id in calls[i].Reads.Concat(calls[i].Writes))
            {
                first[id] = Math.Min(first[id], i);
                last[id] = Math.Max(last[id], i);
            }
        }
        foreach (var id in inputs) first[id] = 0;
        foreach (var id in outputs) last[id] = calls.Length;

        var arenaIds = Enumerable.Range(0, tensors.Count).Where(i => tensors[i].Data is null).ToList();
        var requests = arenaIds.Select(i => new BufferRequest(i, tensors[i].Bytes, Math.Min(first[i], last[i]), Math.Max(last[i], 0))).ToList();
        var plan = GreedyBySizePlanner.Plan(requests);
        var offsets = new Dictionary<int, int>();
        for (var k = 0; k < arenaIds.Count; k++) offsets[arenaIds[k]] = plan.Offsets[k];

        var programTensors = tensors.Select((t, i) => t.Data is null
            ? new ProgramTensor(i, t.Name, t.Type, t.Bytes, TensorPlacement.Arena, offsets[i], first[i], last[i], null)
            : new ProgramTensor(i, t.Name, t.Type, t.Bytes, TensorPlacement.Constant, -1, first[i], last[i], t.Data)).ToImmutableArray();
        return new Program(name, programTensors, calls, plan.ArenaBytes, inputs, outputs);
    }
}
