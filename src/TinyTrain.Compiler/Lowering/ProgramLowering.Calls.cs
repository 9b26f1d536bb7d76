using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Reflection;
using TinyTrain.Compiler.Lowered;
using TinyTrain.Ir;
using TinyTrain.Kernels;

namespace TinyTrain.Compiler.Lowering;

internal sealed partial class ProgramLowering
{
    /// <summary>
    /// How each op becomes calls (or a view, or state): the lowering table, collected from the <see cref="LowersAttribute"/>
    /// methods that each op's calls file declares. An op missing here has no kernel. Ops run in topological order, so an
    /// op's operands have their tensors when it is visited.
    /// </summary>
    private static readonly FrozenDictionary<Op, Action<ProgramLowering, Node>> Lowerings = CollectLowerings();

    /// <summary>The ops that have a lowering.</summary>
    internal static IEnumerable<Op> Lowered => Lowerings.Keys;

    private static FrozenDictionary<Op, Action<ProgramLowering, Node>> CollectLowerings()
    {
        var table = new Dictionary<Op, Action<ProgramLowering, Node>>();
        var methods = typeof(ProgramLowering).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly));
        foreach (var method in methods)
        {
            foreach (var lowers in method.GetCustomAttributes<LowersAttribute>())
            {
                var op = Ops.Find(lowers.Op) ?? throw new InvalidOperationException($"{method.DeclaringType!.Name}.{method.Name} lowers {lowers.Op}, which is no op");
                if (!table.TryAdd(op, method.CreateDelegate<Action<ProgramLowering, Node>>()))
                    throw new InvalidOperationException($"{op} has two lowerings (one is {method.DeclaringType!.Name}.{method.Name})");
            }
        }
        return table.ToFrozenDictionary();
    }

    [Lowers(nameof(Ops.Input))]
    private static void LowerInput(ProgramLowering l, Node n) => l.NewTensor(n);

    [Lowers(nameof(Ops.Constant))]
    private static void LowerConstant(ProgramLowering l, Node n) => l.Constant(n);

    /// <summary>A view: the reshape's tensor is its operand's.</summary>
    [Lowers(nameof(Ops.Reshape))]
    private static void LowerReshape(ProgramLowering l, Node n) => l.tensorOf[n] = l.tensorOf[n.Input(0)];

    [Lowers(nameof(Ops.ClampMask))]
    [Lowers(nameof(Ops.SoftmaxCrossEntropyGrad))]
    private static void LowerWrittenByItsOp(ProgramLowering l, Node n) => l.WrittenByItsOp(n);

    [Lowers(nameof(Ops.SgdUpdate))]
    private static void LowerSgdUpdate(ProgramLowering l, Node n) => l.SgdUpdate(n);

    internal void Add(KernelCall call) => calls.Add(call);

    internal ImmutableArray<Node> Users(Node node) => users[node];

    /// <summary>A parameter that an SgdUpdate writes is SRAM state initialised from the model; other constants stay in flash.</summary>
    private void Constant(Node node)
    {
        var trained = users[node].FirstOrDefault(u => u.Op == Ops.SgdUpdate);
        if (trained is null) NewTensor(node, node.ConstantData);
        else if (TrainedChannels(node, trained) is { } channels) NewSlice(node, channels);
        else NewTensor(node, node.ConstantData, persistent: true);
    }

    /// <summary>A clamp mask or the loss gradient: written by the call of the op it belongs to, visited earlier.</summary>
    private void WrittenByItsOp(Node node)
    {
        if (!tensorOf.ContainsKey(node)) throw new InvalidOperationException($"{node.Name} was not produced by its op's call");
    }

    private void SgdUpdate(Node node)
    {
        tensorOf[node] = tensorOf[node.Input(0)];
        var update = Update(node);
        if (FusedWithGradient(node, update) is { } fused) calls[^1] = fused;
        else calls.Add(update);
    }

    /// <summary>
    /// An SGD step on the parameter's persistent tensor. A weight gradient is [outer, k] for k trained channels of the
    /// parameter's innermost axis; its QAS factor is the output channel's, i.e. one per outer block of a conv or FC
    /// filter, and the channel itself for a depthwise filter (channel innermost). Master copies and velocities are
    /// persistent fp32.
    /// </summary>
    private SgdUpdateCall Update(Node node)
    {
        var a = node.AttrsAs<SgdUpdateAttrs>();
        var (parameter, gradient) = (node.Input(0), node.Input(1));
        var gradientElements = (int)gradient.Shape.Elements;
        var depthwise = parameter.Shape[0] == 1 && parameter.Shape.Rank == 4; // channel innermost: its own QAS factor
        var qas = a.Qas;
        SliceLayout layout;
        if (sliced.ContainsKey(parameter))
        {
            // The SRAM slice is laid out like the gradient: element e updates slice element e.
            var k = a.Channels.Length;
            layout = new SliceLayout(k, [.. Enumerable.Range(0, k)], QasStride: depthwise ? 0 : gradientElements / a.Qas.Length);
            if (depthwise) qas = [.. a.Channels.Select(c => a.Qas[c])];
        }
        else
        {
            layout = a.Channels.IsEmpty ? SliceLayout.Vector : new SliceLayout(parameter.Shape[-1], [.. a.Channels], QasStride: depthwise ? 0 : gradientElements / a.Qas.Length);
        }
        var state = tensors[tensorOf[parameter]];
        var master = a.Policy == UpdatePolicy.Master && parameter.Type.DType != DType.Float32
            ? NewState($"{parameter.Name}.master", DType.Float32, state.Bytes / state.Type.SizeInBytes() * 4, FloatCopy(state.Data!))
            : -1;
        var velocity = momentum > 0 ? NewState($"{parameter.Name}.velocity", DType.Float32, gradientElements * 4, Zeros(gradientElements)) : -1;
        return new SgdUpdateCall(node.Name, tensorOf[parameter], tensorOf[gradient], qas, layout, a.Policy, master, velocity, velocity < 0 ? 0 : momentum);
    }
}
