using TinyTrain.Formats.Pickle;
using TinyTrain.Ir;

namespace TinyTrain.Formats.Paper;

/// <summary>
/// Imports the paper's int8 backbones (tiny-training `.pkl`: first_conv, MobileNet-style blocks, global average
/// pool, 1x1 classifier) into the IR with the exact semantics of paper-notes §2.8: float requantisation, padding
/// (k-1)/2 with the zero point, identity residual adds in float32, a half-to-even global pool.
/// Weights are transposed from OIHW to OHWI (depthwise: 1HWC) so every tensor is NHWC-friendly.
/// </summary>
public static class PaperModelImporter
{
    public static Graph Import(string path)
    {
        var root = TorchZip.ReadDataPickle(path);
        try
        {
            return Import(root, Path.GetFileNameWithoutExtension(path));
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidCastException or IrException or PickleFormatException or ArgumentException)
        {
            throw new ModelFormatException($"{path}: not a tiny-training model: {e.Message}", e);
        }
    }

    public static Graph Import(object? root, string name)
    {
        var model = Dict(root, "model");
        var b = new GraphBuilder();
        var first = Dict(model["first_conv"], "first_conv");
        var firstParams = Dict(first["params"], "first_conv.params");
        var size = (int)Int(first["in_shape"]);
        var input = b.Input("input", DType.Int8, new Shape(1, size, size, (int)Int(first["in_channel"])),
            QuantParams.PerTensor(Float(firstParams["x_scale"]), (int)Int(firstParams["x_zero"])));

        var x = Conv(b, "first_conv", first, input);
        var blocks = List(model["blocks"], "blocks");
        for (var i = 0; i < blocks.Count; i++)
        {
            var block = Dict(blocks[i], $"blocks[{i}]");
            if (block.TryGetValue("se", out var se) && se is not null)
                throw new ModelFormatException($"blocks.{i}: squeeze-and-excitation blocks are not supported");
            var blockInput = x;
            if (block["pointwise1"] is not null) x = Conv(b, $"blocks.{i}.pointwise1", Dict(block["pointwise1"], "pointwise1"), x);
            x = Conv(b, $"blocks.{i}.depthwise", Dict(block["depthwise"], "depthwise"), x);
            x = Conv(b, $"blocks.{i}.pointwise2", Dict(block["pointwise2"], "pointwise2"), x);
            if (block["residual"] is not null) x = Residual(b, $"blocks.{i}.add", Dict(block["residual"], "residual"), blockInput, x);
        }
        if (model.TryGetValue("feature_mix", out var mix) && mix is not null) x = Conv(b, "feature_mix", Dict(mix, "feature_mix"), x);

        var classifier = Dict(model["classifier"], "classifier");
        var classifierParams = Dict(classifier["params"], "classifier.params");
        ExpectQuant(x, classifierParams, "pool");
        // Global average pool over the raw int8 values, same scale and zero point as its input (paper-notes §2.8).
        x = b.AveragePool2D("pool", x,
            new AveragePool2DAttrs(x.Shape[1], x.Shape[2], 1, 1, Padding2D.None, ClampRange.Int8, AverageRounding.HalfToEven), x.Quant!);
        x = Conv(b, "classifier", classifier, x);
        var logits = b.Reshape("logits", x, new Shape(1, x.Shape[3]));
        return b.Build(name, input, logits);
    }

    private static Node Conv(GraphBuilder b, string name, PickleDict conv, Node x)
    {
        var p = Dict(conv["params"], name + ".params");
        ExpectQuant(x, p, name);
        var weight = Array(p["weight"], name + ".weight");
        var bias = Array(p["bias"], name + ".bias").AsInt32();
        var wScales = Array(p["w_scales"], name + ".w_scales").AsFloat32();
        var shape = weight.GetShape();
        if (shape.Length != 4) throw new ModelFormatException($"{name}: weight rank {shape.Length}, expected OIHW");
        var (outC, inPerGroup, kh, kw) = (shape[0], shape[1], shape[2], shape[3]);
        var groups = (int)Int(conv["groups"]);
        var stride = Stride(conv["stride"]);
        var padding = new Padding2D((kh - 1) / 2, (kh - 1) / 2, (kw - 1) / 2, (kw - 1) / 2);
        var oihw = weight.AsSByte();
        var outQuant = QuantParams.PerTensor(Float(p["y_scale"]), (int)Int(p["y_zero"]));
        if (bias.Length != outC || wScales.Length != outC)
            throw new ModelFormatException($"{name}: {bias.Length} biases and {wScales.Length} scales for {outC} channels");
        var biasNode = b.Constant(name + ".bias", TensorData.From(bias), new Shape(outC));

        if (groups == 1)
        {
            var ohwi = new sbyte[oihw.Length];
            for (var o = 0; o < outC; o++)
                for (var i = 0; i < inPerGroup; i++)
                    for (var h = 0; h < kh; h++)
                        for (var w = 0; w < kw; w++)
                            ohwi[((o * kh + h) * kw + w) * inPerGroup + i] = oihw[((o * inPerGroup + i) * kh + h) * kw + w];
            var filter = b.Constant(name + ".weight", TensorData.From(ohwi), new Shape(outC, kh, kw, inPerGroup),
                QuantParams.PerChannel(wScales.Select(s => (double)s), axis: 0));
            return ExpectOutShape(conv, b.Conv2D(name, x, filter, biasNode,
                new Conv2DAttrs(stride, stride, 1, 1, padding, ClampRange.Int8, RequantKind.Float), outQuant));
        }
        if (groups != outC || inPerGroup != 1 || x.Shape[3] != outC)
            throw new ModelFormatException($"{name}: grouped conv with {groups} groups is not supported (only depthwise)");
        var hwc = new sbyte[oihw.Length];
        for (var c = 0; c < outC; c++)
            for (var h = 0; h < kh; h++)
                for (var w = 0; w < kw; w++)
                    hwc[(h * kw + w) * outC + c] = oihw[(c * kh + h) * kw + w];
        var dwFilter = b.Constant(name + ".weight", TensorData.From(hwc), new Shape(1, kh, kw, outC),
            QuantParams.PerChannel(wScales.Select(s => (double)s), axis: 3));
        return ExpectOutShape(conv, b.DepthwiseConv2D(name, x, dwFilter, biasNode,
            new DepthwiseConv2DAttrs(stride, stride, 1, 1, padding, 1, ClampRange.Int8, RequantKind.Float), outQuant));
    }

    private static Node ExpectOutShape(PickleDict conv, Node node)
    {
        if (conv.TryGetValue("out_shape", out var size) && size is long s && (node.Shape[1] != s || node.Shape[2] != s))
            throw new ModelFormatException($"{node.Name}: computed output {node.Shape} disagrees with the model's out_shape {s}");
        return node;
    }

    /// <summary>Identity shortcut: block input first, conv output second, as upstream calls it.</summary>
    private static Node Residual(GraphBuilder b, string name, PickleDict residual, Node blockInput, Node convOutput)
    {
        var p = Dict(residual["params"], name + ".params");
        if (residual.TryGetValue("kernel_size", out _)) throw new ModelFormatException($"{name}: conv shortcuts are not supported");
        ExpectQuant(blockInput, p, name);
        var outQuant = QuantParams.PerTensor(Float(p["y_scale"]), (int)Int(p["y_zero"]));
        return b.Add(name, blockInput, convOutput, new AddAttrs(ClampRange.Int8, RequantKind.Float), outQuant);
    }

    /// <summary>Each op's (x_scale, x_zero) must be its producer's output quantisation (checked, not assumed).</summary>
    private static void ExpectQuant(Node x, PickleDict p, string name)
    {
        var (scale, zero) = (Float(p["x_scale"]), (int)Int(p["x_zero"]));
        if (x.Quant!.Scale != scale || x.Quant.ZeroPoint != zero)
            throw new ModelFormatException($"{name}: input quantisation (s={scale}, z={zero}) differs from its producer's {x.Quant}");
    }

    private static int Stride(object? value) => value switch
    {
        long s => (int)s,
        object?[] t when t.Length == 2 && Int(t[0]) == Int(t[1]) => (int)Int(t[0]),
        List<object?> l when l.Count == 2 && Int(l[0]) == Int(l[1]) => (int)Int(l[0]),
        _ => throw new ModelFormatException($"unsupported stride {value}"),
    };

    private static PickleDict Dict(object? value, string what) =>
        value as PickleDict ?? throw new ModelFormatException($"{what} is not a dict");

    private static IReadOnlyList<object?> List(object? value, string what) => value switch
    {
        List<object?> l => l,
        object?[] t => t,
        _ => throw new ModelFormatException($"{what} is not a list"),
    };

    private static NdArray Array(object? value, string what) =>
        value as NdArray ?? throw new ModelFormatException($"{what} is not an array");

    private static long Int(object? value) => value switch
    {
        long l => l,
        bool bo => bo ? 1 : 0,
        _ => throw new ModelFormatException($"expected an int, found {value ?? "None"}"),
    };

    private static double Float(object? value) => value switch
    {
        double d => d,
        long l => l,
        _ => throw new ModelFormatException($"expected a float, found {value ?? "None"}"),
    };
}
