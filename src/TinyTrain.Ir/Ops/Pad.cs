namespace TinyTrain.Ir;

public sealed record PadAttrs(Padding2D Spatial, int ChannelsBefore, int ChannelsAfter) : OpAttrs;

/// <summary>Pads an NHWC tensor spatially and along channels with its zero point.</summary>
public sealed class PadOp : Op
{
    public override string Name => "Pad";

    public override TensorType InferType(OpAttrs attrs, Operands x, QuantParams? quant)
    {
        var a = (PadAttrs)attrs;
        var input = x[0].Shape;
        x.Expect(input.Rank == 4, $"pad needs NHWC, got {input}");
        var p = a.Spatial;
        return new TensorType(x[0].Type.DType,
            new Shape(input[0], input[1] + p.Top + p.Bottom, input[2] + p.Left + p.Right, input[3] + a.ChannelsBefore + a.ChannelsAfter), quant);
    }
}

public static partial class Ops
{
    public static readonly PadOp Pad = new();
}
