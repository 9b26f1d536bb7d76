namespace TinyTrain.Ir;

public sealed record AddAttrs(ClampRange Clamp, RequantKind Requant) : OpAttrs;

/// <summary>Elementwise sum of two same-shaped activations, each rescaled to the output's quantisation.</summary>
public sealed class AddOp : Op
{
    public override string Name => "Add";
    public override int Arity => 2;
    public override int ActivationOperands => 2;
    public override bool HasClamp => true;
    public override bool HasFloatMode => true;

    public override TensorType InferType(OpAttrs attrs, Operands x, QuantParams? quant)
    {
        x.Expect(x[0].Shape == x[1].Shape, $"add operands differ: {x[0].Shape} and {x[1].Shape}");
        x.Expect(x[0].Type.DType == x[1].Type.DType, "add operands differ in type");
        return new TensorType(x[0].Type.DType, x[0].Shape, quant);
    }

    public override string? GradientRefusal(Node node) => null;

    /// <summary>
    /// y = (s_a (a - z_a) + s_b (b - z_b)) / s_y: d/da = s_a / s_y, in float32 as the forward computes, through the
    /// clamp's mask. In fp32 mode y = a + b: only the mask remains.
    /// </summary>
    public override void Differentiate(Node node, Node? gradient, IGradientBuilder g)
    {
        var mask = g.Mask(node);
        var real = node.Type.DType == DType.Float32;
        float Scale(Node operand) => real ? 1f : (float)operand.Quant!.Scale / (float)node.Quant!.Scale;
        g.Input(node.Input(0), () => g.Emit(Ops.RequantGrad, $"{node.Name}.a.grad", new RequantGradAttrs([Scale(node.Input(0))]), gradient, mask));
        g.Input(node.Input(1), () => g.Emit(Ops.RequantGrad, $"{node.Name}.b.grad", new RequantGradAttrs([Scale(node.Input(1))]), gradient, mask));
    }
}

public static partial class Ops
{
    public static readonly AddOp Add = new();
}
