namespace TinyTrain.Ir;

/// <summary>The sum of two gradients of one activation (fan-out).</summary>
public sealed class GradAddOp : Op
{
    public override string Name => "GradAdd";
    public override int Arity => 2;
    public override bool IsBackward => true;

    public override TensorType InferType(OpAttrs attrs, Operands x, QuantParams? quant)
    {
        x.Expect(x.Gradient(0).Shape == x.Gradient(1).Shape, $"cannot add gradients {x[0].Shape} and {x[1].Shape}");
        return new TensorType(DType.Float32, x[0].Shape);
    }
}

public static partial class Ops
{
    public static readonly GradAddOp GradAdd = new();
}
