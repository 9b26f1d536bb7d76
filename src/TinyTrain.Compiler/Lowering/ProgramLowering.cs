using System.Collections.Immutable;
using TinyTrain.Compiler.Lowered;
using TinyTrain.Compiler.Memory;
using TinyTrain.Compiler.Schedule;
using TinyTrain.Ir;

namespace TinyTrain.Compiler.Lowering;

/// <summary>
/// Lowers a graph (inference or training) to a <see cref="Program"/>: one kernel call per op in topological order,
/// a clamp mask fused into the call of the op it masks, the loss and its gradient in one call, reshapes as views.
/// Frozen constants stay constant data (flash); trained parameters and optimiser state are persistent arena
/// tensors (they live across steps); everything else gets a lifetime and an offset in the one planned arena.
/// </summary>
internal sealed partial class ProgramLowering
{
    private readonly Graph graph;
    private readonly float momentum;
    private readonly MemoryOptions options;
    private readonly List<TensorSpec> tensors = [];
    private readonly Dictionary<Node, int> tensorOf = [];
    private readonly ImmutableArray<KernelCall>.Builder calls = ImmutableArray.CreateBuilder<KernelCall>();
    private readonly IReadOnlyDictionary<Node, ImmutableArray<Node>> users;

    private sealed record TensorSpec(string Name, DType Type, int Bytes, TensorData? Data, bool Persistent);

    private ProgramLowering(Graph graph, float momentum, MemoryOptions options)
    {
        this.graph = graph;
        this.momentum = momentum;
        this.options = options;
        users = graph.Users();
    }

    /// <param name="order">The execution order (a <see cref="Scheduler"/> order); the graph's topological order by default.</param>
    /// <param name="momentum">0 for plain SGD; otherwise each update keeps a persistent fp32 velocity.</param>
    public static Program Lower(Graph graph, float momentum = 0, ImmutableArray<Node> order = default, MemoryOptions? options = null)
    {
        GraphVerifier.ThrowIfInvalid(graph);
        if (!order.IsDefault && (order.Length != graph.Nodes.Length || !order.ToHashSet().SetEquals(graph.Nodes)))
            throw new ArgumentException($"{graph.Name}: the order is not a permutation of the graph's nodes", nameof(order));
        var lowering = new ProgramLowering(graph, momentum, options ?? MemoryOptions.None);
        foreach (var node in order.IsDefault ? graph.Nodes : order) lowering.Visit(node);
        var program = lowering.Plan();
        ProgramVerifier.ThrowIfInvalid(program);
        return program;
    }

    private void Visit(Node node)
    {
        if (!Lowerings.TryGetValue(node.Op, out var lower))
            throw new CompilationException($"{graph.Name}: {node.Name}: no kernel for {node.Op}");
        try
        {
            lower(this, node);
        }
        catch (ArgumentException e)
        {
            // e.g. scales whose ratio overflows the requantisation multiplier
            throw new CompilationException($"{graph.Name}: {node.Name}: {e.Message.ReplaceLineEndings(" ")}");
        }
    }

    internal int NewTensor(Node node, TensorData? data = null, bool persistent = false)
    {
        if (node.Type.SizeInBytes > int.MaxValue) throw new CompilationException($"{graph.Name}: {node.Name}: tensor of {node.Type.SizeInBytes} bytes is too large");
        tensors.Add(new TensorSpec(node.Name, node.Type.DType, (int)node.Type.SizeInBytes, data, persistent));
        return tensorOf[node] = tensors.Count - 1;
    }

    private int NewState(string name, DType type, int bytes, TensorData data)
    {
        tensors.Add(new TensorSpec(name, type, bytes, data, Persistent: true));
        return tensors.Count - 1;
    }

    internal int Operand(Node node, int index) => node.OptionalInput(index) is { } input ? tensorOf[input] : -1;

    /// <summary>The mask tensor of a clamped op, when a ClampMask reads it; allocated with the op's call.</summary>
    internal int MaskOf(Node node) =>
        users[node].FirstOrDefault(u => u.Op == Ops.ClampMask) is { } mask ? NewTensor(mask) : -1;

    private Program Plan()
    {
        FuseConvDepthwise();
        var first = Enumerable.Repeat(int.MaxValue, tensors.Count).ToArray();
        var last = Enumerable.Repeat(-1, tensors.Count).ToArray();
        for (var i = 0; i < calls.Count; i++)
        {
            foreach (var id in calls[i].Reads.Concat(calls[i].Writes))
            {
                first[id] = Math.Min(first[id], i);
                last[id] = Math.Max(last[id], i);
            }
        }
        var inputs = graph.Inputs.Select(n => tensorOf[n]).ToImmutableArray();
        var outputs = graph.Outputs.Select(n => tensorOf[n]).ToImmutableArray();
        foreach (var id in inputs) first[id] = 0;
        foreach (var id in outputs) last[id] = calls.Count;
        for (var id = 0; id < tensors.Count; id++)
        {
            if (tensors[id].Persistent) (first[id], last[id]) = (0, calls.Count); // state lives across steps
        }

        var pinned = inputs.Concat(outputs).ToHashSet();
        var group = Enumerable.Range(0, tensors.Count).ToArray(); // in-place pairs share one buffer
        int Root(int id) => group[id] == id ? id : group[id] = Root(group[id]);
        foreach (var (operand, output) in InPlacePairs(last, pinned)) group[Root(output)] = Root(operand);

        var arenaIds = Enumerable.Range(0, tensors.Count).Where(i => tensors[i].Data is null || tensors[i].Persistent).ToList();
        var roots = arenaIds.GroupBy(Root).ToList();
        var requests = roots.Select(g => new BufferRequest(g.Key, g.Max(i => tensors[i].Bytes),
            g.Min(i => Math.Min(first[i], Math.Max(last[i], 0))), g.Max(i => Math.Max(last[i], 0)))).ToList();
        var plan = ArenaPlanner.Plan(requests);
        var rootOffset = roots.Select((g, k) => (g.Key, k)).ToDictionary(p => p.Key, p => plan.Offsets[p.k]);
        var offsets = arenaIds.ToDictionary(id => id, id => rootOffset[Root(id)]);

        var programTensors = tensors.Select((t, i) => new ProgramTensor(i, t.Name, t.Type, t.Bytes,
            t.Persistent ? TensorPlacement.Persistent : t.Data is null ? TensorPlacement.Arena : TensorPlacement.Constant,
            offsets.GetValueOrDefault(i, -1), first[i], last[i], t.Data)).ToImmutableArray();
        return new Program(graph.Name, programTensors, calls.ToImmutable(), plan.ArenaBytes, inputs, outputs)
        {
            Arena = new ArenaSummary(plan.Strategy, ArenaPlanner.LowerBound(requests)),
        };
    }

    private static TensorData FloatCopy(TensorData data) => data.DType switch
    {
        DType.Int8 => TensorData.From([.. data.As<sbyte>().ToArray().Select(v => (float)v)]),
        DType.Int32 => TensorData.From([.. data.As<int>().ToArray().Select(v => (float)v)]),
        DType.Float32 => data,
        _ => throw new InvalidOperationException($"no fp32 master copy of {data.DType.Name()}"),
    };

    private static TensorData Zeros(int floats) => TensorData.From(new float[floats]);
}
