using TinyTrain.Ir;
using TinyTrain.Kernels;

namespace TinyTrain.Compiler.Lowering;

/// <summary>
/// Works out each op's kernel parameters once, ahead of time (TFLite Micro's Prepare): requantisation
/// scales or multipliers, clamp ranges, padding. The formulas follow design.md §3 for float requantisation
/// and TFLite Micro's Prepare functions for fixed point, because bit-exactness depends on them.
/// </summary>
public static class KernelParamsBuilder
{
    public static Conv2DParams Conv2D(Node node)
    {
        var a = node.AttrsAs<Conv2DAttrs>();
        var (x, filter, y) = (node.Input(0), node.Input(1), node);
        return new Conv2DParams(
            x.Shape[1], x.Shape[2], x.Shape[3], y.Shape[1], y.Shape[2], y.Shape[3],
            filter.Shape[1], filter.Shape[2], a.StrideH, a.StrideW, a.DilationH, a.DilationW,
            a.Padding.Top, a.Padding.Left, x.Quant!.ZeroPoint, y.Quant!.ZeroPoint, a.Clamp.Min, a.Clamp.Max,
            PerChannel(a.Requant, x, filter, y, y.Shape[3]));
    }

    public static DepthwiseConv2DParams DepthwiseConv2D(Node node)
    {
        var a = node.AttrsAs<DepthwiseConv2DAttrs>();
        var (x, filter, y) = (node.Input(0), node.Input(1), node);
        return new DepthwiseConv2DParams(
            x.Shape[1], x.Shape[2], x.Shape[3], y.Shape[1], y.Shape[2], a.DepthMultiplier,
            filter.Shape[1], filter.Shape[2], a.StrideH, a.StrideW, a.DilationH, a.DilationW,
            a.Padding.Top, a.Padding.Left, x.Quant!.ZeroPoint, y.Quant!.ZeroPoint, a.Clamp.Min, a.Clamp.Max,
            PerChannel(a.Requant, x, filter, y, y.Shape[3]));
    }

    public static FullyConnectedParams FullyConnected(Node node)
    {
        var a = node.AttrsAs<FullyConnectedAttrs>();
        var (x, filter, y) = (node.Input(0), node.Input(1), node);
        var requant = a.Requant == RequantKind.FixedPoint && filter.Quant!.IsPerTensor
            // TFLite's GetQuantizedConvolutionMultipler multiplies the two scales in float32, then widens.
            ? FixedPoint([(double)((float)x.Quant!.Scale * (float)filter.Quant.Scale) / (float)y.Quant!.Scale])
            : PerChannel(a.Requant, x, filter, y, filter.Shape[0]);
        return new FullyConnectedParams(y.Shape[0], filter.Shape[1], filter.Shape[0],
            x.Quant!.ZeroPoint, filter.Quant!.ZeroPoint, y.Quant!.ZeroPoint, a.Clamp.Min, a.Clamp.Max, requant);
    }

    /// <summary>
    /// Geometry of an fp32 conv-like op (Conv2DParams, DepthwiseConv2DParams or FullyConnectedParams): shapes,
    /// strides and padding; zero points, clamp and requantisation are neutral (the fp32 kernels take the clamp apart).
    /// </summary>
    public static object FloatGeometry(Node node)
    {
        var (x, filter, y) = (node.Input(0), node.Input(1), node);
        var none = Requantization.FromFloat([1f]);
        return node.Attrs switch
        {
            Conv2DAttrs a => new Conv2DParams(x.Shape[1], x.Shape[2], x.Shape[3], y.Shape[1], y.Shape[2], y.Shape[3], filter.Shape[1], filter.Shape[2],
                a.StrideH, a.StrideW, a.DilationH, a.DilationW, a.Padding.Top, a.Padding.Left, 0, 0, sbyte.MinValue, sbyte.MaxValue, none),
            DepthwiseConv2DAttrs a => new DepthwiseConv2DParams(x.Shape[1], x.Shape[2], x.Shape[3], y.Shape[1], y.Shape[2], a.DepthMultiplier,
                filter.Shape[1], filter.Shape[2], a.StrideH, a.StrideW, a.DilationH, a.DilationW, a.Padding.Top, a.Padding.Left, 0, 0, sbyte.MinValue, sbyte.MaxValue, none),
            FullyConnectedAttrs => new FullyConnectedParams(y.Shape[0], filter.Shape[1], filter.Shape[0], 0, 0, 0, sbyte.MinValue, sbyte.MaxValue, none),
            _ => throw new InvalidOperationException($"{node.Name}: {node.Op} has no conv geometry"),
        };
    }

    public static AddParams Add(Node node)
    {
        var a = node.AttrsAs<AddAttrs>();
        var (qa, qb, qy) = (node.Input(0).Quant!, node.Input(1).Quant!, node.Quant!);
        var length = (int)node.Shape.Elements;
        return a.Requant == RequantKind.Float
            ? Kernels.Add.CreateFloat(length, qa.Scale, qa.ZeroPoint, qb.Scale, qb.ZeroPoint, qy.Scale, qy.ZeroPoint, a.Clamp.Min, a.Clamp.Max)
            : Kernels.Add.CreateFixedPoint(length, (float)qa.Scale, qa.ZeroPoint, (float)qb.Scale, qb.ZeroPoint, (float)qy.Scale, qy.ZeroPoint, a.Clamp.Min, a.Clamp.Max);
    }

    public static PoolParams AveragePool2D(Node node)
    {
        var a = node.AttrsAs<AveragePool2DAttrs>();
        var (x, y) = (node.Input(0), node);
        return new PoolParams(x.Shape[1], x.Shape[2], x.Shape[3], y.Shape[1], y.Shape[2], a.FilterH, a.FilterW,
            a.StrideH, a.StrideW, a.Padding.Top, a.Padding.Left, a.Clamp.Min, a.Clamp.Max,
            a.Rounding == AverageRounding.HalfToEven ? PoolRounding.HalfToEven : PoolRounding.HalfAwayFromZero);
    }

    /// <summary>A max pool's geometry and clamp (the rounding field is unused).</summary>
    public static PoolParams MaxPool2D(Node node)
    {
        var a = node.AttrsAs<MaxPool2DAttrs>();
        var (x, y) = (node.Input(0), node);
        return new PoolParams(x.Shape[1], x.Shape[2], x.Shape[3], y.Shape[1], y.Shape[2], a.FilterH, a.FilterW,
            a.StrideH, a.StrideW, a.Padding.Top, a.Padding.Left, a.Clamp.Min, a.Clamp.Max, PoolRounding.HalfAwayFromZero);
    }

    public static MeanParams Mean(Node node)
    {
        var (x, y) = (node.Input(0), node);
        return Kernels.Mean.Create(x.Shape[1], x.Shape[2], x.Shape[3], (float)x.Quant!.Scale, x.Quant.ZeroPoint, (float)y.Quant!.Scale, y.Quant.ZeroPoint);
    }

    public static SoftmaxParams Softmax(Node node)
    {
        var x = node.Input(0);
        var depth = x.Shape[-1];
        return Kernels.Softmax.Prepare((int)(x.Shape.Elements / depth), depth, node.AttrsAs<SoftmaxAttrs>().Beta, (float)x.Quant!.Scale);
    }

    public static PadParams Pad(Node node)
    {
        var a = node.AttrsAs<PadAttrs>();
        var x = node.Input(0);
        var p = a.Spatial;
        return new PadParams(x.Shape[1], x.Shape[2], x.Shape[3], p.Top, p.Bottom, p.Left, p.Right,
            a.ChannelsBefore, a.ChannelsAfter, (sbyte)node.Quant!.ZeroPoint);
    }

    /// <summary>eff[c] = x_scale * w_scale[c] / y_scale, multiplied first, all in double (design.md §3).</summary>
    private static Requantization PerChannel(RequantKind kind, Node x, Node filter, Node y, int channels)
    {
        var effective = new double[channels];
        for (var c = 0; c < channels; c++)
        {
            effective[c] = x.Quant!.Scale * filter.Quant!.ScaleAt(c) / y.Quant!.Scale;
        }
        if (kind == RequantKind.FixedPoint) return FixedPoint(effective);
        return Requantization.FromFloat([.. effective.Select(e => (float)e)]);
    }

    private static Requantization FixedPoint(double[] effective)
    {
        var multipliers = new int[effective.Length];
        var shifts = new int[effective.Length];
        for (var c = 0; c < effective.Length; c++)
        {
            (multipliers[c], shifts[c]) = QuantizedMultiplier.QuantizeMultiplier(effective[c]);
        }
        return Requantization.FromFixedPoint(multipliers, shifts);
    }
}
