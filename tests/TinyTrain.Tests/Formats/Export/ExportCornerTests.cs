using TinyTrain.Compiler.Lowering;
using TinyTrain.Compiler.Precision;
using TinyTrain.Formats;
using TinyTrain.Formats.Onnx;
using TinyTrain.Formats.Tflite;
using TinyTrain.Ir;
using Xunit.Abstractions;

namespace TinyTrain.Tests.Formats.Export;

/// <summary>
/// A small hand-built graph with the corners the real models miss (padding SAME cannot express, a depth multiplier,
/// PAD, MEAN, a narrowed clamp, a padded half-away pool), and what cannot be exported.
/// </summary>
public class ExportCornerTests(ITestOutputHelper output)
{
    private static Node Weights(GraphBuilder b, string name, Random random, Shape shape, int axis)
    {
        var values = new sbyte[shape.Elements];
        for (var i = 0; i < values.Length; i++) values[i] = (sbyte)random.Next(-127, 128);
        var scales = Enumerable.Range(0, shape[axis]).Select(_ => 0.002 + random.NextDouble() * 0.01);
        return b.Constant(name, TensorData.From(values), shape, QuantParams.PerChannel(scales, axis));
    }

    private static Node Bias(GraphBuilder b, string name, Random random, int n) =>
        b.Constant(name, TensorData.From(Enumerable.Range(0, n).Select(_ => random.Next(-2000, 2000)).ToArray()), new Shape(n));

    internal static Graph Corners(RequantKind requant, ClampRange? convClamp = null)
    {
        var random = new Random(4);
        var b = new GraphBuilder();
        var x = b.Input("x", DType.Int8, new Shape(1, 8, 8, 3), QuantParams.PerTensor(0.05, -3));
        var q1 = QuantParams.PerTensor(0.1, -10);
        // Stride 2 with one pixel on every side: SAME would pad (0, 1), so the .tflite gets an explicit PAD.
        var c1 = b.Conv2D("conv", x, Weights(b, "conv.w", random, new Shape(4, 3, 3, 3), 0), Bias(b, "conv.b", random, 4),
            new Conv2DAttrs(2, 2, 1, 1, new Padding2D(1, 1, 1, 1), convClamp ?? new ClampRange(-10, 127), requant), q1); // RELU
        var d1 = b.DepthwiseConv2D("dw", c1, Weights(b, "dw.w", random, new Shape(1, 3, 3, 8), 3), Bias(b, "dw.b", random, 8),
            new DepthwiseConv2DAttrs(1, 1, 1, 1, new Padding2D(1, 1, 1, 1), 2, ClampRange.Int8, requant), QuantParams.PerTensor(0.08, 2));
        var padded = b.Op(Ops.Pad, "pad", new PadAttrs(new Padding2D(1, 0, 0, 1), 0, 0), d1.Quant, d1);
        var sum = b.Add("add", padded, padded, new AddAttrs(ClampRange.Int8, requant), QuantParams.PerTensor(0.12, -1));
        var pool = b.AveragePool2D("pool", sum, new AveragePool2DAttrs(2, 2, 2, 2, new Padding2D(0, 1, 0, 1), ClampRange.Int8, AverageRounding.HalfAwayFromZero), sum.Quant!);
        var mean = b.Op(Ops.Mean, "mean", new MeanAttrs(false), QuantParams.PerTensor(0.05, 1), pool);
        var fc = b.FullyConnected("fc", mean, Weights(b, "fc.w", random, new Shape(5, 8), 0), Bias(b, "fc.b", random, 5),
            new FullyConnectedAttrs(ClampRange.Int8, requant), QuantParams.PerTensor(0.2, 0));
        var softmax = b.Op(Ops.Softmax, "softmax", new SoftmaxAttrs(1.0), QuantParams.PerTensor(1 / 256.0, -128), fc);
        return b.Build("corners", x, softmax);
    }

    private static List<sbyte[]> Inputs(int count) =>
        [.. Enumerable.Range(0, count).Select(i => { var r = new Random(100 + i); return Enumerable.Range(0, 192).Select(_ => (sbyte)r.Next(-128, 128)).ToArray(); })];

    [Fact]
    public void Corner_ops_survive_tflite_bit_for_bit()
    {
        var model = Corners(RequantKind.FixedPoint);
        var file = TfliteExporter.ToFile(model);
        Assert.Contains(file.Subgraphs[0].Operators, op => file.OperatorCodes[op.OpcodeIndex].BuiltinOperator == TfliteBuiltinOperator.PAD && op.Inputs[0] == 0);
        var back = TfliteExportTests.ReadBack(TfliteWriter.Write(file), "corners");
        var (p1, p2) = (InferenceLowering.Lower(model), InferenceLowering.Lower(back));
        foreach (var input in Inputs(8)) Assert.Equal(TfliteExportTests.Run(p1, input), TfliteExportTests.Run(p2, input));
    }

    [Fact]
    public void Corner_ops_in_ONNX_Runtime_match_the_paper_numerics_exactly()
    {
        // Float requantisation everywhere but softmax (TFLite's fixed point exp) and mean: compare before the softmax.
        var model = Corners(RequantKind.Float);
        var beforeSoftmax = new Graph("corners", model.Inputs, [model.Find("fc")!]);
        var program = InferenceLowering.Lower(beforeSoftmax);
        using var ort = new OnnxRuntimeRunner(OnnxExporter.Write(beforeSoftmax), model.Input.Shape);
        var maxDiff = Inputs(8).Max(input => TfliteExportTests.Run(program, input).Zip(ort.Run(input), (a, b) => Math.Abs(a - b)).Max());
        output.WriteLine($"corner graph up to fc: max |ours - ORT| {maxDiff} LSB (the mean goes through float in ORT)");
        Assert.InRange(maxDiff, 0, 1);

        var upToPool = new Graph("corners", model.Inputs, [model.Find("pool")!]);
        using var exact = new OnnxRuntimeRunner(OnnxExporter.Write(upToPool), model.Input.Shape);
        var pool = InferenceLowering.Lower(upToPool);
        foreach (var input in Inputs(8)) Assert.Equal(TfliteExportTests.Run(pool, input), exact.Run(input));
    }

    [Fact]
    public void A_clamp_that_is_no_fused_activation_is_refused_by_tflite_and_clipped_in_ONNX()
    {
        var model = Corners(RequantKind.Float, new ClampRange(5, 100));
        var e = Assert.Throws<ExportException>(() => TfliteExporter.Write(model));
        Assert.Contains("conv", e.Message);
        Assert.Contains("fused activation", e.Message);
        var conv = new Graph("clamp", model.Inputs, [model.Find("conv")!]);
        using var ort = new OnnxRuntimeRunner(OnnxExporter.Write(conv), model.Input.Shape);
        var program = InferenceLowering.Lower(conv);
        foreach (var input in Inputs(4))
        {
            var theirs = ort.Run(input);
            Assert.All(theirs, v => Assert.InRange(v, 5, 100));
            Assert.Equal(TfliteExportTests.Run(program, input), theirs);
        }
    }

    [Fact]
    public void Fp32_graphs_and_training_graphs_cannot_be_exported()
    {
        var real = FloatConversion.Convert(ModelLoader.Load(TestData.Path("tiny-training", "mcu_models", "mcunet-5fps.pkl")));
        Assert.Contains("fp32", Assert.Throws<ExportException>(() => TfliteExporter.Write(real)).Message);
        Assert.Contains("fp32", Assert.Throws<ExportException>(() => OnnxExporter.Write(real)).Message);
        var training = TrainedMcunet.Compiled.Graph.Graph;
        Assert.Throws<ExportException>(() => TfliteExporter.Write(training));
        Assert.Throws<ExportException>(() => OnnxExporter.Write(training));
    }

    [Fact]
    public void The_writer_refuses_options_it_cannot_encode()
    {
        var file = TfliteReader.Read(TestData.Path("tflite-micro", "hello_world", "hello_world_int8.tflite"));
        var op = file.Subgraphs[0].Operators[0] with { BuiltinOptionsType = (TfliteBuiltinOptionsType)99, Options = null };
        var broken = file with { Subgraphs = [file.Subgraphs[0] with { Operators = [op, .. file.Subgraphs[0].Operators.Skip(1)] }] };
        Assert.Contains("99", Assert.Throws<TfliteFormatException>(() => TfliteWriter.Write(broken)).Message);
    }

    [Fact]
    public void A_truncated_export_is_a_clear_format_error_on_reading()
    {
        var bytes = TfliteExporter.Write(Corners(RequantKind.FixedPoint));
        var e = Assert.Throws<TfliteFormatException>(() => TfliteReader.Read(bytes[..(bytes.Length / 2)], "half.tflite"));
        Assert.StartsWith("half.tflite: ", e.Message);
    }
}
