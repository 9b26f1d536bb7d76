namespace TinyTrain.Ir;

public sealed record AveragePool2DAttrs(int FilterH, int FilterW, int StrideH, int StrideW, Padding2D Padding, ClampRange Clamp, AverageRounding Rounding) : OpAttrs;

/// <summary>Average over each window's in-image positions; input and output share their quantisation.</summary>
public sealed class AveragePool2DOp : Op
{
    public override string Name => "AveragePool2D";
    public override bool HasFloatMode => true;

    public override TensorType InferType(OpAttrs attrs, Operands x, QuantParams? quant)
    {
        var a = (AveragePool2DAttrs)attrs;
        return new TensorType(x[0].Type.DType, Shapes.Pooled(x[0].Shape, a.FilterH, a.FilterW, a.StrideH, a.StrideW, a.Padding, x.Name), quant);
    }

    // With the full int8 range an average of int8 values never leaves it, so the paper's pools need no mask.
    public override string? GradientRefusal(Node node) => node.AttrsAs<AveragePool2DAttrs>().Clamp != ClampRange.Int8
        ? "training through a pool with a fused activation is not supported"
        : null;

    /// <summary>Each output's gradient spread evenly over its window (paper-notes §2.2).</summary>
    public override void Differentiate(Node node, Node? gradient, IGradientBuilder g) =>
        g.Input(node.Input(0), () => g.Emit(Ops.AveragePool2DGrad, $"{node.Input(0).Name}.grad", PoolGradAttrs.Of(node), gradient));
}

/// <summary>
/// Gradient of a pool with respect to its input: the pool's name (for reading, not an edge), its attributes and its
/// input and output types, by value, so the gradient op depends on no node it does not take as an operand.
/// </summary>
public sealed record PoolGradAttrs(string Pool, OpAttrs Attrs, TensorType Input, TensorType Output) : OpAttrs
{
    public static PoolGradAttrs Of(Node pool) => new(pool.Name, pool.Attrs, pool.Input(0).Type, pool.Type);

    public override string ToString() => $"of {Pool}";
}

/// <summary>The average pool's input gradient: operand is the output's gradient.</summary>
public sealed class AveragePool2DGradOp : Op
{
    public override string Name => "AveragePool2DGrad";
    public override bool IsBackward => true;
    public override GradientRole Role => GradientRole.InputGrad;

    public override TensorType InferType(OpAttrs attrs, Operands x, QuantParams? quant)
    {
        var a = (PoolGradAttrs)attrs;
        x.Expect(x.Gradient(0).Shape == a.Output.Shape, $"gradient {x[0].Shape} does not match {a.Pool}'s output");
        return new TensorType(DType.Float32, a.Input.Shape);
    }
}

public static partial class Ops
{
    public static readonly AveragePool2DOp AveragePool2D = new();
    public static readonly AveragePool2DGradOp AveragePool2DGrad = new();
}
