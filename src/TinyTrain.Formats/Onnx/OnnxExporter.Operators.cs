using System.Runtime.InteropServices;
using TinyTrain.Ir;

namespace TinyTrain.Formats.Onnx;

public sealed partial class OnnxExporter
{
    private string Operator(Node node)
    {
        switch (node.Attrs)
        {
            case Conv2DAttrs a:
            {
                var f = node.Input(1).Shape; // OHWI
                var weights = Transposed(node.Input(1).ConstantData.As<sbyte>(), f[0], f[3], f[1], f[2], (o, i, h, w) => ((o * f[1] + h) * f[2] + w) * f[3] + i);
                return QLinearConv(node, a.Requant, Value(node.Input(0)), weights, [f[0], f[3], f[1], f[2]], a.StrideH, a.StrideW, a.DilationH, a.DilationW, a.Padding, 1, a.Clamp, Target(node));
            }
            case DepthwiseConv2DAttrs a:
            {
                var f = node.Input(1).Shape; // 1HWC: channel o of the output reads input channel o / multiplier, as ONNX groups do
                var weights = Transposed(node.Input(1).ConstantData.As<sbyte>(), f[3], 1, f[1], f[2], (o, _, h, w) => (h * f[2] + w) * f[3] + o);
                return QLinearConv(node, a.Requant, Value(node.Input(0)), weights, [f[3], 1, f[1], f[2]], a.StrideH, a.StrideW, a.DilationH, a.DilationW, a.Padding,
                    node.Input(0).Shape[3], a.Clamp, Target(node));
            }
            case FullyConnectedAttrs a:
            {
                // A 1x1 QLinearConv on [rows, inputs, 1, 1]: the one standard quantised op with a bias and per-channel weights.
                var f = node.Input(1).Shape; // [out, in]
                var rows = node.Shape[0];
                var x = Emit("Reshape", [IrOrder(node.Input(0)), Int64s(node.Name + ".rows", [rows, f[1], 1, 1])], Fresh(node.Name + "/rows"));
                var y = QLinearConv(node, a.Requant, x, node.Input(1).ConstantData.As<sbyte>().ToArray(), [f[0], f[1], 1, 1], 1, 1, 1, 1, Padding2D.None, 1, a.Clamp, Fresh(node.Name + "/conv"));
                return Emit("Reshape", [y, Int64s(node.Name + ".shape", [rows, f[0]])], Target(node));
            }
            case AddAttrs a:
            {
                var lhs = Dequantize(node.Input(0), Value(node.Input(0)), node.Name + "/a");
                var rhs = Dequantize(node.Input(1), Value(node.Input(1)), node.Name + "/b");
                var sum = Emit("Add", [lhs, rhs], Fresh(node.Name + "/sum"));
                return Clamped(node, a.Clamp, out_ => Quantize(node, sum, out_));
            }
            case AveragePool2DAttrs a:
            {
                // On the raw integers: the float sum of a window is exact and one division rounds once, as our kernel does.
                var p = a.Padding;
                var real = Emit("Cast", [Value(node.Input(0))], Fresh(node.Name + "/float"), Attr.Int("to", (long)OnnxType.Float));
                var mean = Emit("AveragePool", [real], Fresh(node.Name + "/mean"), Attr.List("kernel_shape", a.FilterH, a.FilterW),
                    Attr.List("strides", a.StrideH, a.StrideW), Attr.List("pads", p.Top, p.Left, p.Bottom, p.Right), Attr.Int("count_include_pad", 0));
                var rounded = a.Rounding == AverageRounding.HalfToEven ? Emit("Round", [mean], Fresh(node.Name + "/round")) : RoundHalfAwayFromZero(node, mean);
                return Clamped(node, a.Clamp, out_ => Emit("Cast", [rounded], out_, Attr.Int("to", (long)OnnxType.Int8)));
            }
            case MaxPool2DAttrs a:
            {
                // int8 MaxPool (opset 12): padded positions never win, as in our kernel; then the fused activation's clamp.
                var p = a.Padding;
                return Clamped(node, a.Clamp, out_ => Emit("MaxPool", [Value(node.Input(0))], out_, Attr.List("kernel_shape", a.FilterH, a.FilterW),
                    Attr.List("strides", a.StrideH, a.StrideW), Attr.List("pads", p.Top, p.Left, p.Bottom, p.Right)));
            }
            case MeanAttrs a:
            {
                var real = Dequantize(node.Input(0), Value(node.Input(0)), node.Name + "/real");
                var mean = Emit("ReduceMean", [real], Fresh(node.Name + "/mean"), Attr.List("axes", 2, 3), Attr.Int("keepdims", a.KeepDims ? 1 : 0));
                return Quantize(node, mean, Target(node));
            }
            case ReshapeAttrs a:
            {
                var shape = Int64s(node.Name + ".shape", [.. a.NewShape.Dims.Select(d => (long)d)]);
                if (a.NewShape.Rank != 4) return Emit("Reshape", [IrOrder(node.Input(0)), shape], Target(node));
                var nhwc = Emit("Reshape", [IrOrder(node.Input(0)), shape], Fresh(node.Name + "/nhwc"));
                return Transpose(nhwc, Target(node), ToNchw);
            }
            case SoftmaxAttrs a:
            {
                if (a.Beta != 1) throw Error($"{node.Name}: softmax with beta {a.Beta} (ONNX's Softmax has none)");
                var real = Dequantize(node.Input(0), Value(node.Input(0)), node.Name + "/real");
                var softmax = Emit("Softmax", [real], Fresh(node.Name + "/softmax"), Attr.Int("axis", node.Shape.Rank == 4 ? 1 : -1));
                return Quantize(node, softmax, Target(node));
            }
            case QuantizeAttrs:
            {
                // Exact where TFLite's requantisation is (the uint8 <-> int8 shift at one scale); otherwise ONNX rounds
                // x * s_x / s_y half to even where TFLite's fixed point rounds half away from zero: ties may differ by 1.
                var real = Dequantize(node.Input(0), Value(node.Input(0)), node.Name + "/real");
                return Quantize(node, real, Target(node));
            }
            case PadAttrs a:
            {
                var p = a.Spatial;
                var pads = Int64s(node.Name + ".pads", [0, a.ChannelsBefore, p.Top, p.Left, 0, a.ChannelsAfter, p.Bottom, p.Right]);
                var zero = Int8s(node.Name + ".value", [(sbyte)node.Quant!.ZeroPoint], scalar: true);
                return Emit("Pad", [Value(node.Input(0)), pads, zero], Target(node));
            }
            default:
                throw Error($"{node.Name}: {node.Op} has no ONNX form (only inference graphs can be exported)");
        }
    }

    /// <summary>QLinearConv: int8 x int8 per-channel weights, int32 bias, float32 requantisation rounding half to even.</summary>
    private string QLinearConv(Node node, RequantKind requant, string x, sbyte[] weights, int[] dims, int sh, int sw, int dh, int dw, Padding2D p, int group, ClampRange clamp, string output)
    {
        var filter = node.Input(1);
        var wq = filter.Quant ?? throw Error($"{filter.Name} has no quantisation");
        if (wq.ZeroPoints.Any(z => z != 0)) throw Error($"{filter.Name}: weights must be symmetric (zero point 0)");
        var perChannel = !wq.IsPerTensor;
        string xs, xz, ys, yz;
        var wScales = wq.Scales.Select(s => (float)s).ToArray();
        if (requant == RequantKind.Float)
        {
            // ONNX Runtime multiplies the accumulator by float32 (x_scale * w_scale[c]) / y_scale, rounded twice; we
            // round x_scale * w_scale[c] / y_scale from double once, and no float32 w_scale reaches every such value.
            // Scales of 1 for x and y and eff[c] for the weights make ORT use exactly our multiplier (and the model's
            // own x and y scales are not written: nothing would read them).
            var (xScale, yScale) = (PerTensor(node.Input(0)).Scale, PerTensor(node).Scale);
            wScales = [.. wq.Scales.Select(s => (float)(xScale * s / yScale))];
            (xs, xz) = (Floats(node.Name + ".x_unit_scale", [1f], scalar: true), ZeroPoint(node.Input(0), node.Name + ".x"));
            (ys, yz) = (Floats(node.Name + ".y_unit_scale", [1f], scalar: true), ZeroPoint(node, node.Name + ".y"));
        }
        else
        {
            (xs, xz) = Scalars(node.Input(0), node.Name + ".x");
            (ys, yz) = Scalars(node, node.Name + ".y");
        }
        var ws = Floats(node.Name + ".w_scale", wScales, scalar: !perChannel);
        var wz = Int8s(node.Name + ".w_zero", new sbyte[wq.Scales.Length], scalar: !perChannel);
        var w = Initializer(filter.Name, OnnxType.Int8, dims, MemoryMarshal.AsBytes(weights.AsSpan()));
        var bias = node.OptionalInput(2) is { } b ? Initializer(b.Name, OnnxType.Int32, [b.Shape[0]], b.ConstantData.Bytes) : null;
        string?[] operands = bias is null ? [x, xs, xz, w, ws, wz, ys, yz] : [x, xs, xz, w, ws, wz, ys, yz, bias];
        return Clamped(node, clamp, out_ => Emit("QLinearConv", operands, out_,
            Attr.List("kernel_shape", dims[2], dims[3]), Attr.List("strides", sh, sw), Attr.List("dilations", dh, dw),
            Attr.List("pads", p.Top, p.Left, p.Bottom, p.Right), Attr.Int("group", group)), output);
    }

    /// <summary>Runs <paramref name="op"/> into <paramref name="output"/>, or into a temporary followed by an int8 Clip when the clamp is narrower than int8.</summary>
    private string Clamped(Node node, ClampRange clamp, Func<string, string> op, string? output = null)
    {
        output ??= Target(node);
        if (clamp == ClampRange.Int8) return op(output);
        var raw = op(Fresh(node.Name + "/unclamped"));
        var min = Int8s(node.Name + ".min", [(sbyte)clamp.Min], scalar: true);
        var max = Int8s(node.Name + ".max", [(sbyte)clamp.Max], scalar: true);
        return Emit("Clip", [raw, min, max], output);
    }

    private (string Scale, string ZeroPoint) Scalars(Node node, string name) =>
        (Floats(name + "_scale", [(float)PerTensor(node).Scale], scalar: true), ZeroPoint(node, name));

    /// <summary>The zero point as a scalar of the node's type (its type is what QuantizeLinear writes).</summary>
    private string ZeroPoint(Node node, string name) => node.Type.DType == DType.UInt8
        ? Initializer(name + "_zero", OnnxType.UInt8, [], [(byte)PerTensor(node).ZeroPoint])
        : Int8s(name + "_zero", [(sbyte)PerTensor(node).ZeroPoint], scalar: true);

    private QuantParams PerTensor(Node node) =>
        node.Quant is { IsPerTensor: true } quant ? quant : throw Error($"{node.Name} needs per-tensor quantisation");

    private string Dequantize(Node node, string value, string name)
    {
        var (scale, zero) = Scalars(node, name);
        return Emit("DequantizeLinear", [value, scale, zero], Fresh(name));
    }

    /// <summary>QuantizeLinear: saturate(round_half_even(x / scale) + zero point), a true division.</summary>
    private string Quantize(Node node, string value, string output)
    {
        var (scale, zero) = Scalars(node, node.Name + ".y");
        return Emit("QuantizeLinear", [value, scale, zero], output);
    }

    /// <summary>sign(x) * floor(|x| + 1/2): TFLite's pool rounding, exact for a quotient of small integers.</summary>
    private string RoundHalfAwayFromZero(Node node, string x)
    {
        var half = Floats(node.Name + ".half", [0.5f], scalar: true);
        var magnitude = Emit("Abs", [x], Fresh(node.Name + "/abs"));
        var floor = Emit("Floor", [Emit("Add", [magnitude, half], Fresh(node.Name + "/plus_half"))], Fresh(node.Name + "/floor"));
        return Emit("Mul", [Emit("Sign", [x], Fresh(node.Name + "/sign")), floor], Fresh(node.Name + "/round"));
    }

    /// <summary>Copies a 4-D filter into ONNX's OIHW order; <paramref name="source"/> maps (o, i, h, w) to the IR's index.</summary>
    private static sbyte[] Transposed(ReadOnlySpan<sbyte> filter, int outputs, int inputs, int height, int width, Func<int, int, int, int, int> source)
    {
        var result = new sbyte[outputs * inputs * height * width];
        for (var o = 0; o < outputs; o++)
            for (var i = 0; i < inputs; i++)
                for (var h = 0; h < height; h++)
                    for (var w = 0; w < width; w++)
                        result[((o * inputs + i) * height + h) * width + w] = filter[source(o, i, h, w)];
        return result;
    }
}
