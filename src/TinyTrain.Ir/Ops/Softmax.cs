namespace TinyTrain.Ir;

public sealed record SoftmaxAttrs(double Beta) : OpAttrs;

/// <summary>int8 softmax over the innermost axis (TFLite's).</summary>
public sealed class SoftmaxOp : Op
{
    public override string Name => "Softmax";

    public override TensorType InferType(OpAttrs attrs, Operands x, QuantParams? quant) => new(DType.Int8, x[0].Shape, quant);
}

public static partial class Ops
{
    public static readonly SoftmaxOp Softmax = new();
}
