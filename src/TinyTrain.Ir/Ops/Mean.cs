namespace TinyTrain.Ir;

/// <summary>Mean over the spatial axes (1, 2) of an NHWC tensor, keeping or dropping them.</summary>
public sealed record MeanAttrs(bool KeepDims) : OpAttrs;

/// <summary>
/// The mean's input gradient: every position of channel c gets gradient[c] * Scale, on an H x W map. Scale is
/// s_x / s_y / (H * W) for the int8 op (straight through the rounding), 1 / (H * W) in the fp32 mode.
/// </summary>
public sealed record MeanGradAttrs(int H, int W, float Scale) : OpAttrs;

public sealed class MeanOp : Op
{
    public override string Name => "Mean";
    public override bool HasFloatMode => true;

    public override TensorType InferType(OpAttrs attrs, Operands x, QuantParams? quant)
    {
        var input = x[0].Shape;
        x.Expect(input.Rank == 4, $"mean over H,W needs NHWC, got {input}");
        return new TensorType(x[0].Type.DType, ((MeanAttrs)attrs).KeepDims ? new Shape(input[0], 1, 1, input[3]) : new Shape(input[0], input[3]), quant);
    }

    public override string? GradientRefusal(Node node) => null;

    /// <summary>The mean spreads its gradient evenly over the positions it averaged.</summary>
    public override void Differentiate(Node node, Node? gradient, IGradientBuilder g)
    {
        var x = node.Input(0);
        var positions = x.Shape[1] * x.Shape[2];
        var scale = node.Type.DType == DType.Float32 ? 1.0 / positions : x.Quant!.Scale / node.Quant!.Scale / positions;
        g.Input(x, () => g.Emit(Ops.MeanGrad, $"{x.Name}.grad", new MeanGradAttrs(x.Shape[1], x.Shape[2], (float)scale), gradient));
    }
}

public sealed class MeanGradOp : Op
{
    public override string Name => "MeanGrad";
    public override bool IsBackward => true;
    public override GradientRole Role => GradientRole.InputGrad;

    public override TensorType InferType(OpAttrs attrs, Operands x, QuantParams? quant)
    {
        var a = (MeanGradAttrs)attrs;
        var gradient = x.Gradient(0).Shape;
        x.Expect(gradient.Rank is 2 or 4 && gradient[0] == 1 && gradient.Elements == gradient[-1], $"a mean's gradient is [1, C] or [1, 1, 1, C], not {gradient}");
        x.Expect(a.H > 0 && a.W > 0, $"a mean's input map is {a.H}x{a.W}");
        return new TensorType(DType.Float32, new Shape(1, a.H, a.W, gradient[-1]));
    }
}

public static partial class Ops
{
    public static readonly MeanOp Mean = new();
    public static readonly MeanGradOp MeanGrad = new();
}
