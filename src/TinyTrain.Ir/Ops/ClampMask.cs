namespace TinyTrain.Ir;

/// <summary>The 1-bit mask of a clamped op (conv-like or add): 1 where the pre-clamp value was inside the clamp range.</summary>
public sealed record ClampMaskAttrs : OpAttrs;

/// <summary>Written by the clamped op's own call, read by the gradient through the clamp.</summary>
public sealed class ClampMaskOp : Op
{
    public override string Name => "ClampMask";
    public override int ActivationOperands => 0;

    public override TensorType InferType(OpAttrs attrs, Operands x, QuantParams? quant)
    {
        x.Expect(x[0].Op.HasClamp, $"{x[0].Name} ({x[0].Op}) has no clamp");
        return new TensorType(DType.Bit, x[0].Shape);
    }
}

public static partial class Ops
{
    public static readonly ClampMaskOp ClampMask = new();
}
