using System.Runtime.InteropServices;
using TinyTrain.Compiler;
using TinyTrain.Compiler.Autodiff;
using TinyTrain.Compiler.Lowered;
using TinyTrain.Ir;
using TinyTrain.Kernels;

namespace TinyTrain.Runtime.Training;

/// <summary>
/// A fine-tuned model as an int8 inference graph: the backbone up to the new head's int8 logits ([1, classes]), with
/// every trained parameter set to its value in the executor's arena. A filter trained on some input channels lives
/// in SRAM as a [rows, k] slice; it is merged back into the frozen flash filter here. Master copies and velocities
/// are optimiser state: with the master policy the int8 parameter (rounded from the master copy after every
/// update) is what the model computes with, so that is what is taken.
/// </summary>
public static class TrainedModel
{
    /// <summary>The trained model held by <paramref name="executor"/> (a trainer's <see cref="Trainer.Model"/>).</summary>
    public static Graph Build(Compilation.Training compiled, Executor executor, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(compiled);
        ArgumentNullException.ThrowIfNull(executor);
        if (!ReferenceEquals(executor.Program, compiled.Program.Program)) throw new ArgumentException("the executor runs another program than the compiled one");
        var training = compiled.Graph;
        if (training.Head.Type.DType != DType.Int8 || training.Head.Quant is null)
            throw new CompilationException($"{training.Graph.Name}: the model was trained with an fp32 head, which an int8 model cannot hold; train with the int8 head (--head int8) to export");
        var logits = training.Logits.Input(0); // the int8 [1, classes] reshape of the head, before dequantisation
        var forward = new Graph(training.Graph.Name, [training.Image], [logits]);
        if (forward.Nodes.FirstOrDefault(n => n.Type.DType == DType.Float32) is { } real)
            throw new CompilationException($"{training.Graph.Name}: {real.Name} is fp32 (the model was trained with --precision fp32); only int8 models can be exported");

        var values = TrainedValues(compiled.Program.Program, executor);
        foreach (var update in training.Graph.Nodes.Where(n => n.Op == Ops.SgdUpdate))
        {
            if (!values.ContainsKey(update.Input(0).Name))
                throw new InvalidOperationException($"{update.Input(0).Name} is trained but has no persistent tensor");
        }

        // Rebuild the forward graph with the trained constants; operands before users, so each input is mapped already.
        var mapped = new Dictionary<Node, Node>(ReferenceEqualityComparer.Instance);
        foreach (var node in forward.Nodes)
        {
            mapped[node] = node.Op == Ops.Constant && values.TryGetValue(node.Name, out var bytes)
                ? new Node(Ops.Constant, [], new ConstantAttrs(TensorData.FromBytes(node.Type.DType, bytes)), node.Type, node.Name)
                : node.With(inputs: [.. node.Inputs.Select(i => i is null ? null : mapped[i])]);
        }
        var graph = new Graph(name ?? TrainedName(training.Graph.Name), [mapped[training.Image]], [mapped[logits]]);
        GraphVerifier.ThrowIfInvalid(graph);
        return graph;
    }

    /// <summary>
    /// The trained model saved in a checkpoint of <paramref name="compiled"/>'s program, which must be compiled with
    /// the checkpoint's feature rms (<see cref="Checkpoint.ReadFeatureRms"/>).
    /// </summary>
    public static Graph FromCheckpoint(Compilation.Training compiled, string checkpointPath, string? name = null)
    {
        var executor = new Executor(compiled.Program.Program);
        Checkpoint.Load(checkpointPath, [executor], compiled.Program.FeatureRms);
        return Build(compiled, executor, name);
    }

    /// <summary>The current whole-tensor value of every trained parameter, by its constant's name.</summary>
    private static Dictionary<string, byte[]> TrainedValues(Program program, Executor executor)
    {
        var merges = program.Calls.OfType<SliceMergeCall>().ToList();
        var values = new Dictionary<string, byte[]>();
        foreach (var t in program.Tensors.Where(t => t.Placement == TensorPlacement.Persistent))
        {
            var value = executor.TensorBytes(t.Id);
            if (merges.FirstOrDefault(m => m.Trained == t.Id) is { } merge)
            {
                var frozen = program.Tensors[merge.Frozen];
                var whole = new sbyte[frozen.Bytes];
                SliceMerge.Merge(MemoryMarshal.Cast<byte, sbyte>(frozen.Data!.Bytes), MemoryMarshal.Cast<byte, sbyte>(value), merge.Channels.AsSpan(), whole);
                values[frozen.Name] = MemoryMarshal.AsBytes(whole.AsSpan()).ToArray();
            }
            else if (!t.Name.EndsWith(".master", StringComparison.Ordinal) && !t.Name.EndsWith(".velocity", StringComparison.Ordinal))
            {
                values[t.Name] = value.ToArray();
            }
        }
        return values;
    }

    private static string TrainedName(string trainingName) =>
        (trainingName.EndsWith("-train", StringComparison.Ordinal) ? trainingName[..^"-train".Length] : trainingName) + "-finetuned";
}
