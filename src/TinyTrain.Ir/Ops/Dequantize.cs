namespace TinyTrain.Ir;

/// <summary>real = scale * (q - zero point): int8 to float32 (features into an fp32 head, logits into the loss).</summary>
public sealed record DequantizeAttrs : OpAttrs;

public sealed class DequantizeOp : Op
{
    public override string Name => "Dequantize";

    public override TensorType InferType(OpAttrs attrs, Operands x, QuantParams? quant)
    {
        x.Expect(x[0].Quant is { IsPerTensor: true }, "dequantize needs a per-tensor quantised input");
        return new TensorType(DType.Float32, x[0].Shape);
    }

    public override string? GradientRefusal(Node node) => null;

    /// <summary>d real / dq = s.</summary>
    public override void Differentiate(Node node, Node? gradient, IGradientBuilder g) =>
        g.Input(node.Input(0), () => g.Emit(Ops.RequantGrad, $"{node.Input(0).Name}.grad",
            new RequantGradAttrs([(float)node.Input(0).Quant!.Scale]), gradient, null));
}

public static partial class Ops
{
    public static readonly DequantizeOp Dequantize = new();
}
