using System.Collections.Immutable;

namespace TinyTrain.Ir;

/// <summary>
/// One immutable IR node with one output tensor. Identity is by reference; <see cref="With"/> returns this
/// when nothing changes, so "did a pass do anything" is a reference comparison.
/// </summary>
public sealed class Node
{
    public Node(Op op, ImmutableArray<Node?> inputs, OpAttrs attrs, TensorType type, string name)
    {
        Op = op;
        Inputs = inputs.IsDefault ? [] : inputs;
        Attrs = attrs;
        Type = type;
        Name = name;
    }

    public Op Op { get; }

    /// <summary>Operands in a fixed order per op; an optional operand (a missing bias) is null.</summary>
    public ImmutableArray<Node?> Inputs { get; }
    public OpAttrs Attrs { get; }
    public TensorType Type { get; }
    public string Name { get; }

    public Shape Shape => Type.Shape;
    public QuantParams? Quant => Type.Quant;

    public Node Input(int index) => Inputs[index] ?? throw new InvalidOperationException($"{Name}: operand {index} is absent");
    public Node? OptionalInput(int index) => index < Inputs.Length ? Inputs[index] : null;

    public T AttrsAs<T>() where T : OpAttrs =>
        Attrs as T ?? throw new InvalidOperationException($"{Name}: {Op} has {Attrs.GetType().Name}, not {typeof(T).Name}");

    public TensorData ConstantData => Op == Ops.Constant
        ? ((ConstantAttrs)Attrs).Data
        : throw new InvalidOperationException($"{Name} is a {Op}, not a constant");

    public Node With(ImmutableArray<Node?>? inputs = null, OpAttrs? attrs = null, TensorType? type = null, string? name = null)
    {
        var newInputs = inputs ?? Inputs;
        var newAttrs = attrs ?? Attrs;
        var newType = type ?? Type;
        var newName = name ?? Name;
        var same = newInputs.AsSpan().SequenceEqual(Inputs.AsSpan(), ReferenceEqualityComparer.Instance)
            && Equals(newAttrs, Attrs) && newType == Type && newName == Name;
        return same ? this : new Node(Op, newInputs, newAttrs, newType, newName);
    }

    public override string ToString() => $"{Name} = {Op} {Type}";
}
