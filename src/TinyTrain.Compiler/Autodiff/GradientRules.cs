using System.Collections.Immutable;
using TinyTrain.Ir;

namespace TinyTrain.Compiler.Autodiff;

/// <summary>
/// Applies each op's own gradient rule (<see cref="Op.Differentiate"/>) for one node at a time and collects what it
/// hands back: the gradients of operands on a path to the loss, and of the node's trained parameters. Also builds
/// the optimiser's updates with their quantization-aware scaling. <paramref name="head"/> is the new classifier
/// (<see cref="TrainingGraph.Head"/>), whose clamp and updates differ from the backbone's.
/// </summary>
internal sealed class GradientRules(GraphBuilder b, TrainingOptions options, Node head) : IGradientBuilder
{
    public sealed record Step(List<(Node Input, Node Gradient)> Inputs, List<(TrainableParameter Parameter, Node Gradient)> Parameters);

    private Step step = new([], []);
    private HashSet<Node> onPath = [];
    private IReadOnlyList<TrainableParameter> trained = [];

    public Step Apply(Node node, Node? gradient, IReadOnlyList<TrainableParameter> trained, HashSet<Node> onPath)
    {
        if (node.Op.GradientRefusal(node) is { } refusal) throw new CompilationException($"{node.Name}: {refusal}");
        (step, this.onPath, this.trained) = (new Step([], []), onPath, trained);
        node.Op.Differentiate(node, gradient, this);
        return step;
    }

    public Node Emit(Op op, string name, OpAttrs attrs, params Node?[] operands) => b.Op(op, Name(name), attrs, null, operands);

    private readonly Dictionary<Node, Node> masks = [];

    /// <summary>
    /// The new head's clamp is not masked: it is only the int8 range of the logits (+-16), not an activation, and a
    /// masked logit that reaches it would get no gradient from then on (the mask is 0 wherever it stays clamped).
    /// Unmasked, the softmax cross-entropy gradient (bounded by 1) pulls a saturated wrong logit back down.
    /// </summary>
    public Node? Mask(Node clamped)
    {
        if (ReferenceEquals(clamped, head)) return null;
        if (!masks.TryGetValue(clamped, out var mask))
            masks[clamped] = mask = Emit(Ops.ClampMask, $"{clamped.Name}.mask", new ClampMaskAttrs(), clamped);
        return mask;
    }

    public void Input(Node input, Func<Node> gradient)
    {
        if (onPath.Contains(input)) step.Inputs.Add((input, gradient()));
    }

    public ImmutableArray<int> TrainedFilterChannels =>
        trained.FirstOrDefault(p => p.Kind == ParameterKind.Filter)?.Channels ?? [];

    public bool TrainsBias => trained.Any(p => p.Kind == ParameterKind.Bias);

    public void FilterGradient(Node gradient) => step.Parameters.Add((trained.First(p => p.Kind == ParameterKind.Filter), gradient));

    public void BiasGradient(Node gradient) => step.Parameters.Add((trained.First(p => p.Kind == ParameterKind.Bias), gradient));

    public Node Update(TrainableParameter parameter, Node gradient)
    {
        var op = parameter.Op;
        var channels = op.Shape[-1];
        var qas = ImmutableArray.CreateRange(Enumerable.Range(0, channels).Select(c => (float)QasFactor(parameter, c)));
        return b.Op(Ops.SgdUpdate, Name($"{parameter.Parameter.Name}.update"),
            new SgdUpdateAttrs(qas, parameter.Kind == ParameterKind.Filter ? parameter.Channels : [], PolicyOf(parameter)), null,
            parameter.Parameter, gradient);
    }

    /// <summary>
    /// The options' policy, except for the int8 head's weights under the device policy when the features it reads are
    /// never negative (<see cref="OneSigned"/>, a ReLU's output): those keep an fp32 master copy. There a weight's
    /// step has the sign of its class's gradient for every image, and rounding in place drops the many small steps
    /// down (each wrong class, p * x, a fraction of one step) and keeps the few large steps up (the right class,
    /// (1 - p) * x), so every logit climbs to the clamp (person_detect head-only on Fashion-MNIST, one epoch: 10.8 %
    /// in place, 65.6 % with the copy). With signed features (the paper's linear bottlenecks) steps of both signs
    /// reach every weight and the rounding errors do not pile up one way; nothing changes there. The int32 bias needs
    /// no copy: its steps are thousands of units.
    /// </summary>
    private UpdatePolicy PolicyOf(TrainableParameter parameter) =>
        options.Policy == UpdatePolicy.Device && ReferenceEquals(parameter.Op, head) && parameter.Kind == ParameterKind.Filter
            && head.Type.DType == DType.Int8 && OneSigned(head.Input(0))
            ? UpdatePolicy.Master
            : options.Policy;

    /// <summary>An int8 tensor whose quantised range has no negative real value: its zero point is -128.</summary>
    public static bool OneSigned(Node tensor) => tensor.Type.DType == DType.Int8 && tensor.Quant is { ZeroPoint: -128 };

    /// <summary>
    /// Quantization-aware scaling (paper Eq. 3, per output channel): a weight gradient is divided by s_w[c]^2, a bias
    /// gradient by (s_w[c] s_x)^2, which makes the step that of SGD on the real values. Computed in double, rounded to
    /// float once. fp32 parameters are left unscaled.
    /// <para>
    /// The new head's weights take SGD steps on the normalised features u = x / R (R = <see cref="TrainingOptions.FeatureRms"/>):
    /// with V = W R, dV = -lr g u is dW = -lr g x / R^2, the real step divided by R^2 (an fp32 head's too). Without
    /// QAS an int8 weight's step is already lr s_w^2 g x, and s_w carries 1 / R, so it is left as it is.
    /// </para>
    /// </summary>
    private double QasFactor(TrainableParameter parameter, int channel)
    {
        var op = parameter.Op;
        var normalised = ReferenceEquals(op, head) && parameter.Kind == ParameterKind.Filter ? 1 / (options.FeatureRms * options.FeatureRms) : 1;
        if (op.Type.DType != DType.Int8) return normalised;
        if (!options.Qas) return 1;
        var sw = op.Input(1).Quant!.ScaleAt(channel);
        var s = parameter.Kind == ParameterKind.Filter ? sw : sw * op.Input(0).Quant!.Scale;
        return normalised / (s * s);
    }

    /// <summary>A fresh node name derived from <paramref name="wanted"/>.</summary>
    public string Name(string wanted)
    {
        var name = wanted;
        for (var i = 2; b.IsNameTaken(name); i++) name = $"{wanted}#{i}";
        return name;
    }
}
