namespace TinyTrain.Ir;

public sealed record Conv2DAttrs(int StrideH, int StrideW, int DilationH, int DilationW, Padding2D Padding, ClampRange Clamp, RequantKind Requant) : OpAttrs;

/// <summary>NHWC input, OHWI filter, optional bias; its gradients are <see cref="Ops.Conv2DInputGrad"/> and <see cref="Ops.Conv2DFilterGrad"/>.</summary>
public sealed class Conv2DOp : ConvLikeOp
{
    public override string Name => "Conv2D";
    public override Op InputGrad => Ops.Conv2DInputGrad;
    public override Op FilterGrad => Ops.Conv2DFilterGrad;

    public override TensorType InferType(OpAttrs attrs, Operands x, QuantParams? quant)
    {
        var a = (Conv2DAttrs)attrs;
        var (input, filter) = (x[0].Shape, x[1].Shape);
        x.Expect(input.Rank == 4 && filter.Rank == 4, $"conv needs NHWC input and OHWI filter, got {input} and {filter}");
        x.Expect(filter[3] == input[3], $"filter {filter} does not match {input[3]} input channels");
        var oh = Shapes.OutputSize(input[1], filter[1], a.StrideH, a.DilationH, a.Padding.Top + a.Padding.Bottom, x.Name);
        var ow = Shapes.OutputSize(input[2], filter[2], a.StrideW, a.DilationW, a.Padding.Left + a.Padding.Right, x.Name);
        return new TensorType(x[0].Type.DType, new Shape(input[0], oh, ow, filter[0]), quant);
    }

    public override long Macs(Node node) => node.Shape.Elements / node.Shape[0] * node.Input(1).Shape[1] * node.Input(1).Shape[2] * node.Input(1).Shape[3];

    public override ClampRange ClampOf(OpAttrs attrs) => ((Conv2DAttrs)attrs).Clamp;
    public override int FilterInputChannels(Shape filter) => filter[3];
    public override int OutputChannelOf(Shape filter, int index) => index / (int)(filter.Elements / filter[0]);
    public override Shape FilterSlice(Shape filter, int channels) => new(filter[0], filter[1], filter[2], channels);
}

public static partial class Ops
{
    public static readonly Conv2DOp Conv2D = new();
    public static readonly ConvInputGradOp Conv2DInputGrad = new("Conv2DInputGrad");
    public static readonly ConvFilterGradOp Conv2DFilterGrad = new("Conv2DFilterGrad");
}
