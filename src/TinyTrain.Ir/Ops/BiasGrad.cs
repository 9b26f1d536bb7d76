namespace TinyTrain.Ir;

/// <summary>A bias's gradient: the accumulator's gradient summed per channel over all pixels.</summary>
public sealed class BiasGradOp : Op
{
    public override string Name => "BiasGrad";
    public override bool IsBackward => true;
    public override GradientRole Role => GradientRole.BiasGrad;

    public override TensorType InferType(OpAttrs attrs, Operands x, QuantParams? quant) => new(DType.Float32, new Shape(x.Gradient(0).Shape[-1]));
}

public static partial class Ops
{
    public static readonly BiasGradOp BiasGrad = new();
}
