using TinyTrain.Compiler.Lowered;
using TinyTrain.Ir;

namespace TinyTrain.Tests.Runtime;

/// <summary>
/// An independent re-implementation of the paper's ops in double precision, straight from the graph's weights
/// and quantisation (not from the compiled kernel parameters). The float32 engine must stay within 1 LSB of it.
/// </summary>
public static class DoubleSimulation
{
    public static int[]? Run(Graph graph, Program program, KernelCall call, IReadOnlyDictionary<int, sbyte[]> tensors)
    {
        var node = graph.Find(call.Name) ?? throw new InvalidOperationException($"no node {call.Name}");
        return call switch
        {
            Conv2DCall c => Conv(node, tensors[c.Input], depthwise: false),
            DepthwiseConv2DCall c => Conv(node, tensors[c.Input], depthwise: true),
            AddCall c => Add(node, tensors[c.A], tensors[c.B]),
            AveragePool2DCall c => Pool(node, tensors[c.Input]),
            _ => null,
        };
    }

    private static int[] Conv(Node node, sbyte[] x, bool depthwise)
    {
        var (input, filter, bias) = (node.Input(0), node.Input(1), node.OptionalInput(2));
        var (h, w, c) = (input.Shape[1], input.Shape[2], input.Shape[3]);
        var (oh, ow, oc) = (node.Shape[1], node.Shape[2], node.Shape[3]);
        var (kh, kw) = (filter.Shape[1], filter.Shape[2]);
        var (sh, sw, pt, pl) = depthwise
            ? (node.AttrsAs<DepthwiseConv2DAttrs>().StrideH, node.AttrsAs<DepthwiseConv2DAttrs>().StrideW, node.AttrsAs<DepthwiseConv2DAttrs>().Padding.Top, node.AttrsAs<DepthwiseConv2DAttrs>().Padding.Left)
            : (node.AttrsAs<Conv2DAttrs>().StrideH, node.AttrsAs<Conv2DAttrs>().StrideW, node.AttrsAs<Conv2DAttrs>().Padding.Top, node.AttrsAs<Conv2DAttrs>().Padding.Left);
        var weights = filter.ConstantData.As<sbyte>();
        var b = bias is null ? ReadOnlySpan<int>.Empty : bias.ConstantData.As<int>();
        var xz = input.Quant!.ZeroPoint;
        var result = new int[oh * ow * oc];
        for (var y = 0; y < oh; y++)
        for (var xx = 0; xx < ow; xx++)
        for (var o = 0; o < oc; o++)
        {
            long acc = b.IsEmpty ? 0 : b[o];
            for (var u = 0; u < kh; u++)
            for (var v = 0; v < kw; v++)
            {
                var (iy, ix) = (y * sh - pt + u, xx * sw - pl + v);
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue; // padding contributes 0 in (x - zero) terms
                if (depthwise)
                {
                    acc += weights[(u * kw + v) * oc + o] * (x[(iy * w + ix) * c + o] - xz);
                }
                else
                {
                    for (var i = 0; i < c; i++) acc += weights[((o * kh + u) * kw + v) * c + i] * (x[(iy * w + ix) * c + i] - xz);
                }
            }
            var scale = input.Quant.Scale * filter.Quant!.ScaleAt(o) / node.Quant!.Scale;
            result[(y * ow + xx) * oc + o] = Clamp(Math.Round(acc * scale) + node.Quant.ZeroPoint);
        }
        return result;
    }

    private static int[] Add(Node node, sbyte[] a, sbyte[] b)
    {
        var (qa, qb, qy) = (node.Input(0).Quant!, node.Input(1).Quant!, node.Quant!);
        return [.. a.Select((_, i) => Clamp(Math.Round(((a[i] - qa.ZeroPoint) * qa.Scale + (b[i] - qb.ZeroPoint) * qb.Scale) / qy.Scale) + qy.ZeroPoint))];
    }

    private static int[] Pool(Node node, sbyte[] x)
    {
        var (h, w, c) = (node.Input(0).Shape[1], node.Input(0).Shape[2], node.Input(0).Shape[3]);
        var result = new int[c];
        for (var ch = 0; ch < c; ch++)
        {
            double sum = 0;
            for (var i = 0; i < h * w; i++) sum += x[i * c + ch];
            result[ch] = Clamp(Math.Round(sum / (h * w)));
        }
        return result;
    }

    private static int Clamp(double v) => (int)Math.Clamp(v, -128, 127);
}
