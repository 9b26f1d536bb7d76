namespace TinyTrain.Ir;

public sealed record DepthwiseConv2DAttrs(int StrideH, int StrideW, int DilationH, int DilationW, Padding2D Padding, int DepthMultiplier, ClampRange Clamp, RequantKind Requant) : OpAttrs;

/// <summary>NHWC input, 1HWC filter (C = channels x multiplier), optional bias.</summary>
public sealed class DepthwiseConv2DOp : ConvLikeOp
{
    public override string Name => "DepthwiseConv2D";
    public override Op InputGrad => Ops.DepthwiseConv2DInputGrad;
    public override Op FilterGrad => Ops.DepthwiseConv2DFilterGrad;

    public override TensorType InferType(OpAttrs attrs, Operands x, QuantParams? quant)
    {
        var a = (DepthwiseConv2DAttrs)attrs;
        var (input, filter) = (x[0].Shape, x[1].Shape);
        x.Expect(input.Rank == 4 && filter.Rank == 4 && filter[0] == 1, $"depthwise needs NHWC input and 1HWC filter, got {input} and {filter}");
        x.Expect(filter[3] == input[3] * a.DepthMultiplier, $"filter {filter} does not match {input[3]} channels x {a.DepthMultiplier}");
        var oh = Shapes.OutputSize(input[1], filter[1], a.StrideH, a.DilationH, a.Padding.Top + a.Padding.Bottom, x.Name);
        var ow = Shapes.OutputSize(input[2], filter[2], a.StrideW, a.DilationW, a.Padding.Left + a.Padding.Right, x.Name);
        return new TensorType(x[0].Type.DType, new Shape(input[0], oh, ow, filter[3]), quant);
    }

    public override long Macs(Node node) => node.Shape.Elements / node.Shape[0] * node.Input(1).Shape[1] * node.Input(1).Shape[2];

    public override ClampRange ClampOf(OpAttrs attrs) => ((DepthwiseConv2DAttrs)attrs).Clamp;
    public override int FilterInputChannels(Shape filter) => filter[3];
    public override int OutputChannelOf(Shape filter, int index) => index % filter[3];
    public override int SchemeChannels(Node node) => node.Input(0).Shape[3];
    public override Shape FilterSlice(Shape filter, int channels) => new(1, filter[1], filter[2], channels);

    /// <summary>Output channel c·M + m reads input channel c: a channel's norm sums its M filters.</summary>
    public override long[] SquaredNorms(Node node)
    {
        var filter = node.Input(1);
        var multiplier = node.AttrsAs<DepthwiseConv2DAttrs>().DepthMultiplier;
        var perTap = InnermostNorms(filter.ConstantData.ToSByteArray(), filter.Shape[3]);
        var norms = new long[filter.Shape[3] / multiplier];
        for (var o = 0; o < perTap.Length; o++) norms[o / multiplier] += perTap[o];
        return norms;
    }
}

public static partial class Ops
{
    public static readonly DepthwiseConv2DOp DepthwiseConv2D = new();
    public static readonly ConvInputGradOp DepthwiseConv2DInputGrad = new("DepthwiseConv2DInputGrad");
    public static readonly ConvFilterGradOp DepthwiseConv2DFilterGrad = new("DepthwiseConv2DFilterGrad");
}
