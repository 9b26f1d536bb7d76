using System.Collections.Immutable;
using TinyTrain.Ir;

namespace TinyTrain.Formats.Tflite;

/// <summary>
/// Maps an int8 `.tflite` (subgraph 0) to the IR. Requantisation is TFLite's fixed point so results are
/// bit-exact with TFLite Micro's reference kernels. Unsupported operators and non-int8 tensors are reported
/// with a one-line <see cref="ModelFormatException"/> naming the file, operator and tensor.
/// </summary>
public sealed partial class TfliteImporter
{
    private readonly TfliteFile file;
    private readonly TfliteSubgraph subgraph;
    private readonly string source;
    private readonly GraphBuilder builder = new();
    private readonly Dictionary<int, Node> nodes = [];
    private readonly HashSet<string> usedNames = [];

    private TfliteImporter(TfliteFile file, string source)
    {
        this.file = file;
        this.source = source;
        if (file.Subgraphs.Count == 0) throw Error("the model has no subgraph");
        subgraph = file.Subgraphs[0];
    }

    public static Graph Import(string path) => Import(TfliteReader.Read(path), path);

    public static Graph Import(TfliteFile file, string source)
    {
        var importer = new TfliteImporter(file, source);
        try
        {
            return importer.Run();
        }
        catch (Exception e) when (e is IrException or ArgumentException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            throw importer.Error(e.Message, e);
        }
    }

    private Graph Run()
    {
        var unsupported = subgraph.Operators.Select(Opcode).Where(o => !SupportedOperators.Contains(o)).Distinct().ToList();
        if (unsupported.Count > 0)
            throw Error($"unsupported operator {string.Join(", ", unsupported.Select(TfliteBuiltinOperatorNames.Name))}; TinyTrain imports {string.Join(", ", SupportedOperators.Select(TfliteBuiltinOperatorNames.Name))}");

        var inputs = subgraph.Inputs.Select(i =>
        {
            var t = Tensor(i);
            return nodes[i] = builder.Input(UniqueName(t.Name, i), InputType(t), new Shape(t.Shape), ActivationQuant(t));
        }).ToImmutableArray();

        for (var index = 0; index < subgraph.Operators.Count; index++)
        {
            var op = subgraph.Operators[index];
            if (op.Outputs.Length != 1) throw Error($"operator #{index} ({TfliteBuiltinOperatorNames.Name(Opcode(op))}) has {op.Outputs.Length} outputs");
            if (TryFold(op, index)) continue;
            var output = op.Outputs[0];
            var node = Operator(op, index);
            nodes[output] = MatchFileShape(node, output);
        }

        var outputs = subgraph.Outputs.Select(i => nodes.TryGetValue(i, out var n) ? n
            : throw Error(folded.ContainsKey(i) ? $"output tensor {i} is a shape computation, not an activation" : $"output tensor {i} is never computed")).ToImmutableArray();
        var name = Path.GetFileNameWithoutExtension(source);
        return builder.Build(name, inputs, outputs);
    }

    /// <summary>Files keep FC outputs as [1,N] or [1,1,1,N]; a reshape makes ours agree with the file.</summary>
    private Node MatchFileShape(Node node, int tensorIndex)
    {
        var fileShape = new Shape(Tensor(tensorIndex).Shape);
        if (fileShape == node.Shape) return node;
        if (fileShape.Elements != node.Shape.Elements)
            throw Error($"tensor '{Tensor(tensorIndex).Name}' is {fileShape} in the file but computes to {node.Shape}");
        return builder.Reshape(UniqueName(node.Name + "/reshape", tensorIndex), node, fileShape);
    }

    private TfliteBuiltinOperator Opcode(TfliteOperator op) =>
        op.OpcodeIndex >= 0 && op.OpcodeIndex < file.OperatorCodes.Count
            ? file.OperatorCodes[op.OpcodeIndex].BuiltinOperator
            : throw Error($"operator refers to opcode {op.OpcodeIndex} of {file.OperatorCodes.Count}");

    private TfliteTensor Tensor(int index) =>
        index >= 0 && index < subgraph.Tensors.Count ? subgraph.Tensors[index] : throw Error($"tensor index {index} out of range");

    private string UniqueName(string name, int index)
    {
        var candidate = string.IsNullOrEmpty(name) ? $"t{index}" : name;
        if (!usedNames.Add(candidate))
        {
            candidate = $"{candidate}#{index}";
            usedNames.Add(candidate);
        }
        return candidate;
    }

    private ModelFormatException Error(string message, Exception? inner = null) => new($"{source}: {message}", inner);
}
