namespace TinyTrain.Ir;

public sealed record FullyConnectedAttrs(ClampRange Clamp, RequantKind Requant) : OpAttrs;

/// <summary>Rows of the input times an [O, I] filter, optional bias.</summary>
public sealed class FullyConnectedOp : ConvLikeOp
{
    public override string Name => "FullyConnected";
    public override Op InputGrad => Ops.FullyConnectedInputGrad;
    public override Op FilterGrad => Ops.FullyConnectedFilterGrad;

    public override TensorType InferType(OpAttrs attrs, Operands x, QuantParams? quant)
    {
        var (input, filter) = (x[0].Shape, x[1].Shape);
        x.Expect(filter.Rank == 2 && input.Elements % filter[1] == 0, $"input {input} does not split into rows of {filter[1]}");
        x.Expect(x[1].Type.DType == x[0].Type.DType, $"filter is {x[1].Type.DType.Name()}, input is {x[0].Type.DType.Name()}");
        return new TensorType(x[0].Type.DType, new Shape((int)(input.Elements / filter[1]), filter[0]), quant);
    }

    public override long Macs(Node node) => node.Input(1).Shape.Elements * node.Shape[0];

    public override ClampRange ClampOf(OpAttrs attrs) => ((FullyConnectedAttrs)attrs).Clamp;
    public override int FilterInputChannels(Shape filter) => filter[1];
    public override int OutputChannelOf(Shape filter, int index) => index / filter[1];
    public override Shape FilterSlice(Shape filter, int channels) => new(filter[0], channels);
    public override (int H, int W) Kernel(Shape filter) => (1, 1);

    /// <summary>Rows per sample (1 for a flat input) of the filter's width.</summary>
    public override (long InputSpatial, long OutputElements) PerSample(Node node)
    {
        var (x, w) = (node.Input(0).Shape, node.Input(1).Shape);
        var rows = x.Elements / w[1];
        var batch = x.Rank > 0 ? Math.Max(1, x[0]) : 1;
        var perSample = Math.Max(1, rows / batch);
        return (perSample, perSample * w[0]);
    }
}

public static partial class Ops
{
    public static readonly FullyConnectedOp FullyConnected = new();
    public static readonly ConvInputGradOp FullyConnectedInputGrad = new("FullyConnectedInputGrad");
    public static readonly ConvFilterGradOp FullyConnectedFilterGrad = new("FullyConnectedFilterGrad");
}
