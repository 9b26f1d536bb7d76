namespace TinyTrain.Ir;

public sealed record ConstantAttrs(TensorData Data) : OpAttrs
{
    public override string ToString() => $"{Data.DType.Name()} x{Data.Length}";
}

/// <summary>A graph input: its type is given, not inferred.</summary>
public sealed class InputOp : Op
{
    public override string Name => "Input";
    public override int Arity => 0;
    public override bool IsLeaf => true;

    public override TensorType InferType(OpAttrs attrs, Operands operands, QuantParams? quant) =>
        throw new InvalidOperationException("an input's type is given, not inferred");
}

/// <summary>Constant data (weights, biases): flash on a device unless a scheme trains it.</summary>
public sealed class ConstantOp : Op
{
    public override string Name => "Constant";
    public override int Arity => 0;
    public override bool IsLeaf => true;

    public override TensorType InferType(OpAttrs attrs, Operands operands, QuantParams? quant) =>
        throw new InvalidOperationException("a constant's type is given, not inferred");

    public override void Verify(Node node, Action<bool, string> check) =>
        check(node.ConstantData.Length == node.Shape.Elements, "constant data does not fill its shape");
}

public static partial class Ops
{
    public static readonly InputOp Input = new();
    public static readonly ConstantOp Constant = new();
}
