namespace TinyTrain.Ir;

public sealed record PadAttrs(Padding2D Spatial, int ChannelsBefore, int ChannelsAfter) : OpAttrs;

/// <summary>Pads an NHWC tensor spatially and along channels with its zero point (real 0).</summary>
public sealed class PadOp : Op
{
    public override string Name => "Pad";
    public override bool HasFloatMode => true;

    public override TensorType InferType(OpAttrs attrs, Operands x, QuantParams? quant)
    {
        var a = (PadAttrs)attrs;
        var input = x[0].Shape;
        x.Expect(input.Rank == 4, $"pad needs NHWC, got {input}");
        var p = a.Spatial;
        return new TensorType(x[0].Type.DType,
            new Shape(input[0], input[1] + p.Top + p.Bottom, input[2] + p.Left + p.Right, input[3] + a.ChannelsBefore + a.ChannelsAfter), quant);
    }

    public override string? GradientRefusal(Node node) => null;

    /// <summary>The pad copies its input, so the input's gradient is the output gradient's interior.</summary>
    public override void Differentiate(Node node, Node? gradient, IGradientBuilder g) =>
        g.Input(node.Input(0), () => g.Emit(Ops.PadGrad, $"{node.Input(0).Name}.grad", node.Attrs, gradient));
}

/// <summary>The pad's input gradient (same attributes as the pad): the output gradient without the padding.</summary>
public sealed class PadGradOp : Op
{
    public override string Name => "PadGrad";
    public override bool IsBackward => true;
    public override GradientRole Role => GradientRole.InputGrad;

    public override TensorType InferType(OpAttrs attrs, Operands x, QuantParams? quant)
    {
        var a = (PadAttrs)attrs;
        var grad = x.Gradient(0).Shape;
        var p = a.Spatial;
        x.Expect(grad.Rank == 4, $"a pad's gradient is NHWC, not {grad}");
        var input = new Shape(grad[0], grad[1] - p.Top - p.Bottom, grad[2] - p.Left - p.Right, grad[3] - a.ChannelsBefore - a.ChannelsAfter);
        x.Expect(input[1] > 0 && input[2] > 0 && input[3] > 0, $"gradient {grad} is smaller than the padding");
        return new TensorType(DType.Float32, input);
    }
}

public static partial class Ops
{
    public static readonly PadOp Pad = new();
    public static readonly PadGradOp PadGrad = new();
}
