using TinyTrain.Ir;

namespace TinyTrain.Formats.Tflite;

public sealed partial class TfliteExporter
{
    private int Operator(Node node)
    {
        if (node.Type.DType != DType.Int8 && node.Op != Ops.Quantize) throw Error($"{node.Name} ({node.Op}) computes {node.Type.DType.Name()}; only int8 graphs can be exported");
        switch (node.Attrs)
        {
            case Conv2DAttrs a:
            {
                var (x, padding) = Padded(node, node.Input(1).Shape[1], node.Input(1).Shape[2], a.StrideH, a.StrideW, a.DilationH, a.DilationW, a.Padding);
                var options = new TfliteConv2DOptions(padding, a.StrideW, a.StrideH, Fused(a.Clamp, node), a.DilationW, a.DilationH);
                return Emit(TfliteBuiltinOperator.CONV_2D, 3, ConvInputs(node, x, filterAxis: 0), Output(node), TfliteBuiltinOptionsType.Conv2DOptions, options);
            }
            case DepthwiseConv2DAttrs a:
            {
                var (x, padding) = Padded(node, node.Input(1).Shape[1], node.Input(1).Shape[2], a.StrideH, a.StrideW, a.DilationH, a.DilationW, a.Padding);
                var options = new TfliteDepthwiseConv2DOptions(padding, a.StrideW, a.StrideH, a.DepthMultiplier, Fused(a.Clamp, node), a.DilationW, a.DilationH);
                return Emit(TfliteBuiltinOperator.DEPTHWISE_CONV_2D, 3, ConvInputs(node, x, filterAxis: 3), Output(node),
                    TfliteBuiltinOptionsType.DepthwiseConv2DOptions, options);
            }
            case FullyConnectedAttrs a:
            {
                var options = new TfliteFullyConnectedOptions(Fused(a.Clamp, node), TfliteWeightsFormat.Default, KeepNumDims: false, AsymmetricQuantizeInputs: false);
                return Emit(TfliteBuiltinOperator.FULLY_CONNECTED, 4, ConvInputs(node, Activation(node.Input(0)), filterAxis: 0), Output(node),
                    TfliteBuiltinOptionsType.FullyConnectedOptions, options);
            }
            case AddAttrs a:
                return Emit(TfliteBuiltinOperator.ADD, 2, [Activation(node.Input(0)), Activation(node.Input(1))], Output(node),
                    TfliteBuiltinOptionsType.AddOptions, new TfliteAddOptions(Fused(a.Clamp, node), PotScaleInt16: true));
            case AveragePool2DAttrs a:
            {
                if (!node.Quant!.Equals(node.Input(0).Quant)) throw Error($"{node.Name}: TFLite's AVERAGE_POOL_2D keeps its input's quantisation, this pool rescales");
                var padding = SameOrValid(node.Input(0), a.FilterH, a.FilterW, a.StrideH, a.StrideW, 1, 1, a.Padding)
                    ?? throw Error($"{node.Name}: pool padding {a.Padding} is neither SAME nor VALID");
                var options = new TflitePool2DOptions(padding, a.StrideW, a.StrideH, a.FilterW, a.FilterH, Fused(a.Clamp, node));
                return Emit(TfliteBuiltinOperator.AVERAGE_POOL_2D, 2, [Activation(node.Input(0))], Output(node), TfliteBuiltinOptionsType.Pool2DOptions, options);
            }
            case MaxPool2DAttrs a:
            {
                if (!node.Quant!.Equals(node.Input(0).Quant)) throw Error($"{node.Name}: TFLite's MAX_POOL_2D keeps its input's quantisation, this pool rescales");
                var padding = SameOrValid(node.Input(0), a.FilterH, a.FilterW, a.StrideH, a.StrideW, 1, 1, a.Padding)
                    ?? throw Error($"{node.Name}: pool padding {a.Padding} is neither SAME nor VALID");
                var options = new TflitePool2DOptions(padding, a.StrideW, a.StrideH, a.FilterW, a.FilterH, Fused(a.Clamp, node));
                return Emit(TfliteBuiltinOperator.MAX_POOL_2D, 2, [Activation(node.Input(0))], Output(node), TfliteBuiltinOptionsType.Pool2DOptions, options);
            }
            case MeanAttrs a:
            {
                var axes = IntConstant(node.Name + "/axes", [1, 2], 2);
                return Emit(TfliteBuiltinOperator.MEAN, 2, [Activation(node.Input(0)), axes], Output(node),
                    TfliteBuiltinOptionsType.ReducerOptions, new TfliteReducerOptions(a.KeepDims));
            }
            case ReshapeAttrs a:
            {
                var dims = a.NewShape.Dims.ToArray();
                var shape = IntConstant(node.Name + "/shape", dims, dims.Length);
                return Emit(TfliteBuiltinOperator.RESHAPE, 1, [Activation(node.Input(0)), shape], Output(node),
                    TfliteBuiltinOptionsType.ReshapeOptions, new TfliteReshapeOptions(dims));
            }
            case SoftmaxAttrs a:
                return Emit(TfliteBuiltinOperator.SOFTMAX, 2, [Activation(node.Input(0))], Output(node),
                    TfliteBuiltinOptionsType.SoftmaxOptions, new TfliteSoftmaxOptions((float)a.Beta));
            case QuantizeAttrs:
                return Emit(TfliteBuiltinOperator.QUANTIZE, 2, [Activation(node.Input(0))], Output(node), TfliteBuiltinOptionsType.None, null);
            case PadAttrs a:
            {
                var p = a.Spatial;
                var paddings = IntConstant(node.Name + "/paddings", [0, 0, p.Top, p.Bottom, p.Left, p.Right, a.ChannelsBefore, a.ChannelsAfter], 4, 2);
                return Emit(TfliteBuiltinOperator.PAD, 2, [Activation(node.Input(0)), paddings], Output(node), TfliteBuiltinOptionsType.PadOptions, new TflitePadOptions());
            }
            default:
                throw Error($"{node.Name}: {node.Op} has no .tflite operator (only inference graphs can be exported)");
        }
    }

    private int Output(Node node) => AddTensor(node.Name, node, buffer: 0);

    /// <summary>[input, filter, bias or -1]; the bias carries scale x_scale * w_scale[c] (TFLite checks it).</summary>
    private int[] ConvInputs(Node node, int input, int filterAxis)
    {
        var filter = node.Input(1);
        var w = filter.Quant ?? throw Error($"{filter.Name} has no quantisation");
        if (w.ZeroPoints.Any(z => z != 0)) throw Error($"{filter.Name}: TFLite filters are symmetric (zero point 0)");
        if (!w.IsPerTensor && w.Axis != filterAxis) throw Error($"{filter.Name} is quantised along axis {w.Axis}, TFLite expects {filterAxis}");
        var filterIndex = Constant(filter);
        if (node.OptionalInput(2) is not { } bias) return [input, filterIndex, -1];
        var xScale = (double)(float)node.Input(0).Quant!.Scale;
        var scales = w.Scales.Select(s => (float)(xScale * (float)s)).ToArray();
        return [input, filterIndex, Constant(bias, new TfliteQuantization(scales, new long[scales.Length], 0))];
    }

    /// <summary>
    /// The op's input and TFLite padding: SAME or VALID when one of them is the IR's padding, else an explicit PAD of
    /// the input (with its zero point, as the IR pads) followed by VALID.
    /// </summary>
    private (int Input, TflitePadding Padding) Padded(Node node, int kh, int kw, int sh, int sw, int dh, int dw, Padding2D padding)
    {
        var x = node.Input(0);
        if (SameOrValid(x, kh, kw, sh, sw, dh, dw, padding) is { } p) return (Activation(x), p);
        var padded = new Shape(x.Shape[0], x.Shape[1] + padding.Top + padding.Bottom, x.Shape[2] + padding.Left + padding.Right, x.Shape[3]);
        var paddings = IntConstant(node.Name + "/paddings", [0, 0, padding.Top, padding.Bottom, padding.Left, padding.Right, 0, 0], 4, 2);
        tensors.Add(new TfliteTensor { Name = FreshName(node.Name + "/pad"), Shape = [.. padded.Dims], Type = TfliteTensorType.INT8, Buffer = 0, Quantization = Quantization(x.Quant!) });
        var output = Emit(TfliteBuiltinOperator.PAD, 2, [Activation(x), paddings], tensors.Count - 1, TfliteBuiltinOptionsType.PadOptions, new TflitePadOptions());
        return (output, TflitePadding.Valid);
    }

    private static TflitePadding? SameOrValid(Node x, int kh, int kw, int sh, int sw, int dh, int dw, Padding2D padding)
    {
        if (padding == Padding2D.None) return TflitePadding.Valid;
        var (top, bottom, _) = Padding2D.Same(x.Shape[1], kh, sh, dh);
        var (left, right, _) = Padding2D.Same(x.Shape[2], kw, sw, dw);
        return padding == new Padding2D(top, bottom, left, right) ? TflitePadding.Same : null;
    }

    /// <summary>
    /// The fused activation whose int8 range (as TFLite and our importer compute it: zp + round(f / scale), ties away
    /// from zero) is the op's clamp. A clamp no activation gives cannot be written.
    /// </summary>
    private TfliteActivation Fused(ClampRange clamp, Node node)
    {
        if (clamp == ClampRange.Int8) return TfliteActivation.None;
        var (scale, zp) = ((float)node.Quant!.Scale, node.Quant.ZeroPoint);
        int Q(float f) => zp + (int)MathF.Round(f / scale, MidpointRounding.AwayFromZero);
        var candidates = new (TfliteActivation Activation, ClampRange Range)[]
        {
            (TfliteActivation.Relu, new(Math.Max(-128, Q(0f)), 127)),
            (TfliteActivation.Relu6, new(Math.Max(-128, Q(0f)), Math.Min(127, Q(6f)))),
            (TfliteActivation.ReluN1To1, new(Math.Max(-128, Q(-1f)), Math.Min(127, Q(1f)))),
        };
        foreach (var (activation, range) in candidates)
        {
            if (range == clamp) return activation;
        }
        throw Error($"{node.Name}: its clamp [{clamp.Min}, {clamp.Max}] is no TFLite fused activation (RELU, RELU6, RELU_N1_TO_1) at scale {scale}, zero point {zp}");
    }
}
