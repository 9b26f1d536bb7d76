using System.Collections.Immutable;
using System.Runtime.InteropServices;
using TinyTrain.Ir;

namespace TinyTrain.Formats.Tflite;

public sealed partial class TfliteImporter
{
    /// <summary>
    /// The operators this importer reads, each with the method that maps it (and its options) to an IR op: the one
    /// list the "unsupported operator" check and its message read.
    /// </summary>
    private static readonly (TfliteBuiltinOperator Code, Func<TfliteImporter, Site, Node> Read)[] Readers =
    [
        (TfliteBuiltinOperator.CONV_2D, (i, site) => i.Conv2D(site)),
        (TfliteBuiltinOperator.DEPTHWISE_CONV_2D, (i, site) => i.DepthwiseConv2D(site)),
        (TfliteBuiltinOperator.FULLY_CONNECTED, (i, site) => i.FullyConnected(site)),
        (TfliteBuiltinOperator.ADD, (i, site) => i.Add(site)),
        (TfliteBuiltinOperator.AVERAGE_POOL_2D, (i, site) => i.AveragePool2D(site)),
        (TfliteBuiltinOperator.MAX_POOL_2D, (i, site) => i.MaxPool2D(site)),
        (TfliteBuiltinOperator.MEAN, (i, site) => i.Mean(site)),
        (TfliteBuiltinOperator.RESHAPE, (i, site) => i.Reshape(site)),
        (TfliteBuiltinOperator.SQUEEZE, (i, site) => i.Reshape(site)),
        (TfliteBuiltinOperator.EXPAND_DIMS, (i, site) => i.Reshape(site)),
        (TfliteBuiltinOperator.SOFTMAX, (i, site) => i.Softmax(site)),
        (TfliteBuiltinOperator.PAD, (i, site) => i.Pad(site)),
        (TfliteBuiltinOperator.QUANTIZE, (i, site) => i.Quantize(site)),
    ];

    private static ImmutableArray<TfliteBuiltinOperator> supported;

    /// <summary>The operators read into ops and those folded at import (computed on first use: the two tables are in different files).</summary>
    public static ImmutableArray<TfliteBuiltinOperator> SupportedOperators =>
        supported.IsDefault ? supported = [.. Readers.Select(r => r.Code), .. Folders.Select(f => f.Code)] : supported;

    private Node Operator(TfliteOperator op, int index)
    {
        var opcode = Opcode(op);
        var output = Tensor(op.Outputs[0]);
        var name = UniqueName(output.Name, op.Outputs[0]);
        var quant = ActivationQuant(output);
        if (opcode != TfliteBuiltinOperator.QUANTIZE) ActivationType(output);
        var read = Readers.FirstOrDefault(r => r.Code == opcode).Read ?? throw Error($"unsupported operator {TfliteBuiltinOperatorNames.Name(opcode)}");
        return read(this, new Site(op, index, name, quant, output));
    }

    /// <summary>One operator being read: the operator, its index, its output's unique name, quantisation and tensor.</summary>
    private readonly record struct Site(TfliteOperator Op, int Index, string Name, QuantParams Quant, TfliteTensor Output);

    private Node Conv2D(Site site)
    {
        var (op, index, name, quant, _) = site;
        var o = Options<TfliteConv2DOptions>(op, index);
        var x = Activation(op.Inputs[0]);
        var filter = Filter(op.Inputs[1], axis: 0);
        var (padding, _) = ResolvePadding(o.Padding, x, filter.Shape[1], filter.Shape[2], o.StrideH, o.StrideW, o.DilationHFactor, o.DilationWFactor);
        return builder.Conv2D(name, x, filter, Bias(op, 2),
            new Conv2DAttrs(o.StrideH, o.StrideW, o.DilationHFactor, o.DilationWFactor, padding, Clamp(o.FusedActivation, quant, name), RequantKind.FixedPoint), quant);
    }

    private Node DepthwiseConv2D(Site site)
    {
        var (op, index, name, quant, _) = site;
        var o = Options<TfliteDepthwiseConv2DOptions>(op, index);
        var x = Activation(op.Inputs[0]);
        var filter = Filter(op.Inputs[1], axis: 3);
        var multiplier = filter.Shape[3] / Math.Max(1, x.Shape[3]);
        var (padding, _) = ResolvePadding(o.Padding, x, filter.Shape[1], filter.Shape[2], o.StrideH, o.StrideW, o.DilationHFactor, o.DilationWFactor);
        return builder.DepthwiseConv2D(name, x, filter, Bias(op, 2),
            new DepthwiseConv2DAttrs(o.StrideH, o.StrideW, o.DilationHFactor, o.DilationWFactor, padding, multiplier, Clamp(o.FusedActivation, quant, name), RequantKind.FixedPoint), quant);
    }

    private Node FullyConnected(Site site)
    {
        var (op, index, name, quant, _) = site;
        var o = Options<TfliteFullyConnectedOptions>(op, index);
        return builder.FullyConnected(name, Activation(op.Inputs[0]), Filter(op.Inputs[1], axis: 0), Bias(op, 2),
            new FullyConnectedAttrs(Clamp(o.FusedActivation, quant, name), RequantKind.FixedPoint), quant);
    }

    private Node Add(Site site)
    {
        var (op, index, name, quant, _) = site;
        var o = Options<TfliteAddOptions>(op, index);
        var (a, b) = (Activation(op.Inputs[0]), Activation(op.Inputs[1]));
        if (a.Shape != b.Shape) throw Error($"{name}: ADD with broadcasting ({a.Shape} + {b.Shape}) is not supported");
        return builder.Add(name, a, b, new AddAttrs(Clamp(o.FusedActivation, quant, name), RequantKind.FixedPoint), quant);
    }

    private Node AveragePool2D(Site site)
    {
        var (op, index, name, quant, _) = site;
        var o = Options<TflitePool2DOptions>(op, index);
        var x = Activation(op.Inputs[0]);
        ExpectSameQuant(x, quant, name);
        var (padding, _) = ResolvePadding(o.Padding, x, o.FilterHeight, o.FilterWidth, o.StrideH, o.StrideW, 1, 1);
        return builder.AveragePool2D(name, x, new AveragePool2DAttrs(o.FilterHeight, o.FilterWidth, o.StrideH, o.StrideW, padding,
            Clamp(o.FusedActivation, quant, name), AverageRounding.HalfAwayFromZero), quant);
    }

    private Node MaxPool2D(Site site)
    {
        var (op, index, name, quant, _) = site;
        var o = Options<TflitePool2DOptions>(op, index);
        var x = Activation(op.Inputs[0]);
        ExpectSameQuant(x, quant, name);
        var (padding, _) = ResolvePadding(o.Padding, x, o.FilterHeight, o.FilterWidth, o.StrideH, o.StrideW, 1, 1);
        return builder.Op(Ops.MaxPool2D, name, new MaxPool2DAttrs(o.FilterHeight, o.FilterWidth, o.StrideH, o.StrideW, padding,
            Clamp(o.FusedActivation, quant, name)), quant, x);
    }

    private Node Mean(Site site)
    {
        var (op, _, name, quant, _) = site;
        var keepDims = op.Options is TfliteReducerOptions r && r.KeepDims;
        var axes = ConstantInts(op.Inputs[1], name).Order().ToArray();
        if (!axes.SequenceEqual([1, 2])) throw Error($"{name}: MEAN over axes [{string.Join(",", axes)}] is not supported (only the spatial axes 1 and 2)");
        return builder.Op(Ops.Mean, name, new MeanAttrs(keepDims), quant, Activation(op.Inputs[0]));
    }

    /// <summary>RESHAPE, SQUEEZE and EXPAND_DIMS: a view with the shape the file gives the output.</summary>
    private Node Reshape(Site site)
    {
        var (op, _, name, quant, output) = site;
        var x = Activation(op.Inputs[0]);
        ExpectSameQuant(x, quant, name);
        var shape = new Shape(output.Shape);
        if (Opcode(op) == TfliteBuiltinOperator.RESHAPE) CheckReshapeTarget(op, x, shape, name);
        return builder.Reshape(name, x, shape);
    }

    private Node Softmax(Site site)
    {
        var (op, _, name, quant, _) = site;
        var beta = op.Options is TfliteSoftmaxOptions s ? s.Beta : 1f;
        return builder.Op(Ops.Softmax, name, new SoftmaxAttrs(beta), quant, Activation(op.Inputs[0]));
    }

    private Node Pad(Site site)
    {
        var (op, _, name, quant, _) = site;
        var x = Activation(op.Inputs[0]);
        ExpectSameQuant(x, quant, name);
        var p = ConstantInts(op.Inputs[1], name);
        if (p.Length != 8 || p[0] != 0 || p[1] != 0) throw Error($"{name}: PAD must be [4,2] paddings with no batch padding");
        return builder.Op(Ops.Pad, name, new PadAttrs(new Padding2D(p[2], p[3], p[4], p[5]), p[6], p[7]), quant, x);
    }

    /// <summary>QUANTIZE on an int8 or uint8 input (a float input is a float model, which TinyTrain does not run).</summary>
    private Node Quantize(Site site)
    {
        var (op, _, name, quant, output) = site;
        var type = output.Type switch
        {
            TfliteTensorType.INT8 => DType.Int8,
            TfliteTensorType.UINT8 => DType.UInt8,
            _ => throw Error($"{name}: QUANTIZE to {TypeName(output.Type)} is not supported (int8 or uint8)"),
        };
        return builder.Op(Ops.Quantize, name, new QuantizeAttrs(type), quant, Activation(op.Inputs[0]));
    }

    private T Options<T>(TfliteOperator op, int index) where T : class =>
        op.Options as T ?? throw Error($"operator #{index} ({TfliteBuiltinOperatorNames.Name(Opcode(op))}) has no {typeof(T).Name.Replace("Tflite", "")}");

    private Node Activation(int index) =>
        nodes.TryGetValue(index, out var node) ? node : throw Error($"tensor '{Tensor(index).Name}' is read before it is computed (or is a constant used as an activation)");

    private Node Filter(int index, int axis)
    {
        var t = Tensor(index);
        if (t.Type != TfliteTensorType.INT8) throw Error($"filter '{t.Name}' is {TypeName(t.Type)}; only int8 filters are supported");
        var q = t.Quantization ?? throw Error($"filter '{t.Name}' has no quantisation");
        if (q.Scale.Length == 0) throw Error($"filter '{t.Name}' has no scales");
        if (q.Scale.Length > 1 && q.QuantizedDimension != axis)
            throw Error($"filter '{t.Name}' is quantised along axis {q.QuantizedDimension}, expected {axis}");
        var quant = q.Scale.Length == 1
            ? QuantParams.PerTensor(q.Scale[0], ZeroPoint(t))
            : QuantParams.PerChannel(q.Scale.Select(s => (double)s), axis);
        if (q.Scale.Length > 1 && q.ZeroPoint.Any(z => z != 0)) throw Error($"filter '{t.Name}' has non-zero per-channel zero points");
        return Constant(index, t, DType.Int8, quant);
    }

    private Node? Bias(TfliteOperator op, int slot)
    {
        if (op.Inputs.Length <= slot || op.Inputs[slot] < 0) return null;
        var t = Tensor(op.Inputs[slot]);
        if (t.Type != TfliteTensorType.INT32) throw Error($"bias '{t.Name}' is {TypeName(t.Type)}; int8 models need int32 biases");
        return Constant(op.Inputs[slot], t, DType.Int32, null);
    }

    private Node Constant(int index, TfliteTensor t, DType type, QuantParams? quant)
    {
        if (nodes.TryGetValue(index, out var existing)) return existing;
        var data = BufferData(t);
        var shape = new Shape(t.Shape);
        if (data.Length != shape.Elements * type.SizeInBytes())
            throw Error($"constant '{t.Name}' has {data.Length} bytes for shape {shape} of {type.Name()}");
        return nodes[index] = builder.Constant(UniqueName(t.Name, index), TensorData.FromBytes(type, data), shape, quant);
    }

    private ReadOnlySpan<byte> BufferData(TfliteTensor t) =>
        t.Buffer > 0 && t.Buffer < file.Buffers.Count && file.Buffers[t.Buffer].Length > 0
            ? file.Buffers[t.Buffer]
            : throw Error($"tensor '{t.Name}' should be constant but has no data");

    private int[] ConstantInts(int index, string op)
    {
        var t = Tensor(index);
        var data = BufferData(t);
        return t.Type switch
        {
            TfliteTensorType.INT32 => MemoryMarshal.Cast<byte, int>(data).ToArray(),
            TfliteTensorType.INT64 => [.. MemoryMarshal.Cast<byte, long>(data).ToArray().Select(v => checked((int)v))],
            _ => throw Error($"{op}: '{t.Name}' must be an int32 constant"),
        };
    }

    private DType ActivationType(TfliteTensor t) => t.Type == TfliteTensorType.INT8
        ? DType.Int8
        : throw Error($"tensor '{t.Name}' is {TypeName(t.Type)}; TinyTrain runs int8 models (activations must be int8)");

    /// <summary>A graph input: int8, or uint8 when a QUANTIZE turns it into int8 (image and audio front ends).</summary>
    private DType InputType(TfliteTensor t) => t.Type == TfliteTensorType.UINT8 ? DType.UInt8 : ActivationType(t);

    private static string TypeName(TfliteTensorType type) => type.ToString().ToLowerInvariant();

    private QuantParams ActivationQuant(TfliteTensor t)
    {
        var q = t.Quantization;
        if (q is null || q.Scale.Length != 1) throw Error($"tensor '{t.Name}' needs per-tensor quantisation");
        if (!(q.Scale[0] > 0 && float.IsFinite(q.Scale[0]))) throw Error($"tensor '{t.Name}' has scale {q.Scale[0]}; scales must be positive");
        return QuantParams.PerTensor(q.Scale[0], ZeroPoint(t));
    }

    private int ZeroPoint(TfliteTensor t)
    {
        var zp = t.Quantization is { ZeroPoint.Length: > 0 } q ? q.ZeroPoint[0] : 0;
        long min = t.Type == TfliteTensorType.UINT8 ? byte.MinValue : sbyte.MinValue, max = t.Type == TfliteTensorType.UINT8 ? byte.MaxValue : sbyte.MaxValue;
        return zp >= min && zp <= max ? (int)zp : throw Error($"tensor '{t.Name}' has zero point {zp}, outside {TypeName(t.Type)}");
    }

    private void ExpectSameQuant(Node x, QuantParams quant, string name)
    {
        if (!x.Quant!.Equals(quant)) throw Error($"{name}: input {x.Quant} and output {quant} quantisation differ, which this op does not rescale");
    }

    /// <summary>TFLite's fused activation as an int8 clamp: bounds are zp + round(f / scale) in float, ties away from zero.</summary>
    private ClampRange Clamp(TfliteActivation activation, QuantParams quant, string name)
    {
        var (scale, zp) = ((float)quant.Scale, quant.ZeroPoint);
        int Q(float f) => zp + (int)MathF.Round(f / scale, MidpointRounding.AwayFromZero);
        return activation switch
        {
            TfliteActivation.None => ClampRange.Int8,
            TfliteActivation.Relu => new(Math.Max(-128, Q(0f)), 127),
            TfliteActivation.Relu6 => new(Math.Max(-128, Q(0f)), Math.Min(127, Q(6f))),
            TfliteActivation.ReluN1To1 => new(Math.Max(-128, Q(-1f)), Math.Min(127, Q(1f))),
            _ => throw Error($"{name}: fused activation {activation} is not supported"),
        };
    }

    private (Padding2D Padding, int Output) ResolvePadding(TflitePadding padding, Node x, int kh, int kw, int sh, int sw, int dh, int dw)
    {
        if (padding == TflitePadding.Valid) return (Padding2D.None, 0);
        var (top, bottom, oh) = Padding2D.Same(x.Shape[1], kh, sh, dh);
        var (left, right, _) = Padding2D.Same(x.Shape[2], kw, sw, dw);
        return (new Padding2D(top, bottom, left, right), oh);
    }
}
