namespace TinyTrain.Ir;

public sealed record MaxPool2DAttrs(int FilterH, int FilterW, int StrideH, int StrideW, Padding2D Padding, ClampRange Clamp) : OpAttrs;

/// <summary>
/// Max over each window's in-image positions (padding never wins), then the fused activation's clamp; input and
/// output share their quantisation (TFLite Micro's reference MaxPool).
/// </summary>
public sealed class MaxPool2DOp : Op
{
    public override string Name => "MaxPool2D";
    public override bool HasFloatMode => true;

    public override TensorType InferType(OpAttrs attrs, Operands x, QuantParams? quant)
    {
        var a = (MaxPool2DAttrs)attrs;
        return new TensorType(x[0].Type.DType, Shapes.Pooled(x[0].Shape, a.FilterH, a.FilterW, a.StrideH, a.StrideW, a.Padding, x.Name), quant);
    }

    public override string? GradientRefusal(Node node) => null;

    /// <summary>
    /// Each output's gradient goes to its window's max, the first in scan order among equal values, and nowhere when
    /// the clamp cut the max. The rule reads the forward input again instead of keeping an argmax.
    /// </summary>
    public override void Differentiate(Node node, Node? gradient, IGradientBuilder g) =>
        g.Input(node.Input(0), () => g.Emit(Ops.MaxPool2DGrad, $"{node.Input(0).Name}.grad", PoolGradAttrs.Of(node), gradient, node.Input(0)));
}

/// <summary>The max pool's input gradient: operands are the output's gradient and the forward input.</summary>
public sealed class MaxPool2DGradOp : Op
{
    public override string Name => "MaxPool2DGrad";
    public override int Arity => 2;
    public override bool IsBackward => true;
    public override GradientRole Role => GradientRole.InputGrad;

    public override TensorType InferType(OpAttrs attrs, Operands x, QuantParams? quant)
    {
        var a = (PoolGradAttrs)attrs;
        x.Expect(x.Gradient(0).Shape == a.Output.Shape, $"gradient {x[0].Shape} does not match {a.Pool}'s output");
        x.Expect(x[1].Type == a.Input, $"a max pool's gradient reads {a.Pool}'s input ({a.Input}), not {x[1].Name} ({x[1].Type})");
        return new TensorType(DType.Float32, a.Input.Shape);
    }
}

public static partial class Ops
{
    public static readonly MaxPool2DOp MaxPool2D = new();
    public static readonly MaxPool2DGradOp MaxPool2DGrad = new();
}
