using System.Collections.Immutable;

namespace TinyTrain.Ir;

/// <summary>
/// The definition of one op: its operands, traits, type rule, extra verification and gradient rule, side by side in
/// the op's file (tinygrad's gradient table and TFLite Micro's one-op-per-file). Every stage asks the op instead of
/// switching on a kind. Each op is one instance in <see cref="Ops"/>; nodes compare ops by reference.
/// </summary>
public abstract class Op
{
    /// <summary>The op's one name across IR, kernel, vectorised kernel, C emitter and C file.</summary>
    public abstract string Name { get; }

    /// <summary>Operand slots; an optional one (a missing bias, mask) holds null.</summary>
    public virtual int Arity => 1;

    /// <summary>Graph inputs and constants: no computation, no call.</summary>
    public virtual bool IsLeaf => false;

    /// <summary>Leading operands that are int8 activations of an int8 op (checked by the verifier).</summary>
    public virtual int ActivationOperands => 1;

    /// <summary>An op of the backward pass or the optimiser: fp32 gradients, only in training graphs.</summary>
    public virtual bool IsBackward => false;

    /// <summary>The op clamps its output, so a <see cref="Ops.ClampMask"/> may record where the clamp passed values.</summary>
    public virtual bool HasClamp => false;

    /// <summary>The op has an fp32 mode (the fp32 baseline): the same op on real values, its clamp in real terms.</summary>
    public virtual bool HasFloatMode => false;

    /// <summary>What a backward op computes, for the scheduler (parameter steps run as soon as they can).</summary>
    public virtual GradientRole Role => GradientRole.None;

    /// <summary>The output type from the operands and attributes; throws <see cref="IrException"/> on a mismatch.</summary>
    public abstract TensorType InferType(OpAttrs attrs, Operands operands, QuantParams? quant);

    /// <summary>Invariants beyond the type rule (e.g. a filter's scales), reported through <paramref name="check"/>.</summary>
    public virtual void Verify(Node node, Action<bool, string> check) { }

    /// <summary>Multiply-accumulates of one forward pass.</summary>
    public virtual long Macs(Node node) => 0;

    /// <summary>Why training cannot pass through this node (null: <see cref="Differentiate"/> has a rule for it).</summary>
    public virtual string? GradientRefusal(Node node) => $"training through {Name} is not supported yet";

    /// <summary>
    /// The local derivative as IR (paper-notes §2.2): given the gradient of the node's output (null for the loss),
    /// the rule hands the gradients of its operands on a path to the loss, and of its trained parameters, to
    /// <paramref name="g"/>.
    /// </summary>
    public virtual void Differentiate(Node node, Node? gradient, IGradientBuilder g) =>
        throw new InvalidOperationException($"{Name} has no gradient rule");

    public override string ToString() => Name;
}

/// <summary>The part a backward op plays in the step.</summary>
public enum GradientRole
{
    None,

    /// <summary>Propagates a gradient to an activation through a filter (a transposed convolution).</summary>
    InputGrad,

    /// <summary>A filter's gradient.</summary>
    FilterGrad,

    /// <summary>A bias's gradient.</summary>
    BiasGrad,

    /// <summary>A parameter's optimiser step.</summary>
    Update,
}

/// <summary>The operands an op's type rule sees, each fetched with a one-line error when absent.</summary>
public readonly struct Operands(IReadOnlyList<Node?> inputs, string name, Op op)
{
    public string Name => name;
    public int Count => inputs.Count;

    public Node this[int index] => index < inputs.Count && inputs[index] is { } n ? n : throw new IrException($"{name}: {op.Name} needs operand {index}");

    public Node? Optional(int index) => index < inputs.Count ? inputs[index] : null;

    /// <summary>An fp32 gradient operand.</summary>
    public Node Gradient(int index)
    {
        var g = this[index];
        Expect(g.Type.DType == DType.Float32, $"{op.Name} needs an fp32 gradient, {g.Name} is {g.Type.DType.Name()}");
        return g;
    }

    public void Expect(bool condition, string message)
    {
        if (!condition) throw new IrException($"{name}: {message}");
    }
}

/// <summary>
/// What a gradient rule builds with: new backward nodes under fresh names, the shared clamp mask of a clamped op,
/// and where the gradients go. Implemented by the compiler's differentiator.
/// </summary>
public interface IGradientBuilder
{
    /// <summary>A new node of <paramref name="op"/>, named <paramref name="name"/> or a fresh variant of it.</summary>
    Node Emit(Op op, string name, OpAttrs attrs, params Node?[] operands);

    /// <summary>
    /// The 1-bit clamp mask of <paramref name="clamped"/>, one per op however many rules ask; null where the gradient
    /// passes the clamp unmasked (the new head's int8 output range, see the compiler's GradientRules.Mask).
    /// </summary>
    Node? Mask(Node clamped);

    /// <summary>Adds the gradient of <paramref name="input"/> when it lies on a path to the loss (built only then).</summary>
    void Input(Node input, Func<Node> gradient);

    /// <summary>The trained input channels of the node's filter, or empty when its filter is frozen.</summary>
    ImmutableArray<int> TrainedFilterChannels { get; }

    /// <summary>Whether the node's bias is trained.</summary>
    bool TrainsBias { get; }

    void FilterGradient(Node gradient);

    void BiasGradient(Node gradient);
}
