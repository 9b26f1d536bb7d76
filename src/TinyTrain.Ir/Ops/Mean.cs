namespace TinyTrain.Ir;

/// <summary>Mean over the spatial axes (1, 2) of an NHWC tensor, keeping or dropping them.</summary>
public sealed record MeanAttrs(bool KeepDims) : OpAttrs;

public sealed class MeanOp : Op
{
    public override string Name => "Mean";

    public override TensorType InferType(OpAttrs attrs, Operands x, QuantParams? quant)
    {
        var input = x[0].Shape;
        x.Expect(input.Rank == 4, $"mean over H,W needs NHWC, got {input}");
        return new TensorType(DType.Int8, ((MeanAttrs)attrs).KeepDims ? new Shape(input[0], 1, 1, input[3]) : new Shape(input[0], input[3]), quant);
    }
}

public static partial class Ops
{
    public static readonly MeanOp Mean = new();
}
