namespace TinyTrain.Ir;

public sealed record ReshapeAttrs(Shape NewShape) : OpAttrs;

/// <summary>The same elements under another shape: a view, no call.</summary>
public sealed class ReshapeOp : Op
{
    public override string Name => "Reshape";
    public override int ActivationOperands => 0;
    public override bool HasFloatMode => true;

    public override TensorType InferType(OpAttrs attrs, Operands x, QuantParams? quant)
    {
        var target = ((ReshapeAttrs)attrs).NewShape;
        x.Expect(target.Elements == x[0].Shape.Elements, $"cannot reshape {x[0].Shape} to {target}");
        return new TensorType(x[0].Type.DType, target, quant);
    }

    public override string? GradientRefusal(Node node) => null;

    public override void Differentiate(Node node, Node? gradient, IGradientBuilder g) =>
        g.Input(node.Input(0), () => g.Emit(Ops.Reshape, $"{node.Input(0).Name}.grad", new ReshapeAttrs(node.Input(0).Shape), gradient));
}

public static partial class Ops
{
    public static readonly ReshapeOp Reshape = new();
}
