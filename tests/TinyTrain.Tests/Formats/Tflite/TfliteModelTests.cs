using TinyTrain.Formats.Tflite;

namespace TinyTrain.Tests.Formats.Tflite;

/// <summary>Parses every .tflite in shared/data and checks it against shared/data/README.md.</summary>
public class TfliteModelTests
{
    private sealed record IoSpec(int[] Shape, TfliteTensorType Type, double? Scale = null, long? ZeroPoint = null);

    private sealed record Case(string[] Path, string Ops, IoSpec In, IoSpec Out);

    // Op histograms: README where it lists them; kws and str_ww (not listed there) as found in the files.
    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["person_detect"] = new(["tflite-micro", "person_detection", "person_detect.tflite"],
            "AVERAGE_POOL_2D=1 CONV_2D=14 DEPTHWISE_CONV_2D=14 RESHAPE=1 SOFTMAX=1",
            new([1, 96, 96, 1], TfliteTensorType.INT8, 1 / 127.5, -1), new([1, 2], TfliteTensorType.INT8, 1 / 256.0, -128)),
        ["vww_96_int8"] = new(["mlperf-tiny", "vww_96_int8.tflite"],
            "AVERAGE_POOL_2D=1 CONV_2D=14 DEPTHWISE_CONV_2D=13 FULLY_CONNECTED=1 RESHAPE=1 SOFTMAX=1",
            new([1, 96, 96, 3], TfliteTensorType.INT8, 1 / 255.0, -128), new([1, 2], TfliteTensorType.INT8)),
        ["pretrainedResnet_quant"] = new(["mlperf-tiny", "pretrainedResnet_quant.tflite"],
            "ADD=3 AVERAGE_POOL_2D=1 CONV_2D=9 FULLY_CONNECTED=1 RESHAPE=1 SOFTMAX=1",
            new([1, 32, 32, 3], TfliteTensorType.INT8, 1.0, -128), new([1, 10], TfliteTensorType.INT8)),
        ["kws_ref_model"] = new(["mlperf-tiny", "kws_ref_model.tflite"],
            "AVERAGE_POOL_2D=1 CONV_2D=5 DEPTHWISE_CONV_2D=4 FULLY_CONNECTED=1 RESHAPE=1 SOFTMAX=1",
            new([1, 49, 10, 1], TfliteTensorType.INT8, 0.5847, 83), new([1, 12], TfliteTensorType.INT8)),
        ["ad01_int8"] = new(["mlperf-tiny", "ad01_int8.tflite"], "FULLY_CONNECTED=10",
            new([1, 640], TfliteTensorType.INT8), new([1, 640], TfliteTensorType.INT8)),
        ["str_ww_ref_model"] = new(["mlperf-tiny", "str_ww_ref_model.tflite"],
            "CONV_2D=4 DEPTHWISE_CONV_2D=4 FULLY_CONNECTED=1 RESHAPE=1 SOFTMAX=1",
            new([1, 30, 1, 40], TfliteTensorType.INT8), new([1, 3], TfliteTensorType.INT8)),
        ["magic_wand_model"] = new(["tflite-micro-arduino-examples", "magic_wand", "magic_wand_model.tflite"],
            "CONV_2D=3 FULLY_CONNECTED=1 MEAN=1 SOFTMAX=1",
            new([1, 32, 32, 3], TfliteTensorType.INT8, 1.0, -128), new([1, 10], TfliteTensorType.INT8)),
        ["micro_speech_quantized"] = new(["tflite-micro", "micro_speech", "micro_speech_quantized.tflite"],
            "DEPTHWISE_CONV_2D=1 FULLY_CONNECTED=1 RESHAPE=1 SOFTMAX=1",
            new([1, 1960], TfliteTensorType.INT8, 0.1017, -128), new([1, 4], TfliteTensorType.INT8)),
        ["hello_world_int8"] = new(["tflite-micro", "hello_world", "hello_world_int8.tflite"], "FULLY_CONNECTED=3",
            new([1, 1], TfliteTensorType.INT8, 0.02448, -128), new([1, 1], TfliteTensorType.INT8, 0.008291, 5)),
        ["hello_world_float"] = new(["tflite-micro", "hello_world", "hello_world_float.tflite"], "FULLY_CONNECTED=3",
            new([1, 1], TfliteTensorType.FLOAT32), new([1, 1], TfliteTensorType.FLOAT32)),
        ["trained_lstm_int8"] = new(["tflite-micro", "mnist_lstm", "trained_lstm_int8.tflite"],
            "FULLY_CONNECTED=1 RESHAPE=1 SOFTMAX=1 UNIDIRECTIONAL_SEQUENCE_LSTM=1",
            new([1, 28, 28], TfliteTensorType.INT8, 1 / 255.0, -128), new([1, 10], TfliteTensorType.INT8)),
        ["audio_preprocessor_int8"] = new(["tflite-micro", "micro_speech", "audio_preprocessor_int8.tflite"],
            "ADD=2 CAST=4 CONCATENATION=1 CUSTOM=9 DIV=1 MAXIMUM=1 MINIMUM=1 MUL=1 RESHAPE=1 STRIDED_SLICE=1",
            new([1, 480], TfliteTensorType.INT16), new([40], TfliteTensorType.INT8)),
    };

    public static TheoryData<string> Models => new(Cases.Keys);

    internal static TfliteFile Load(params string[] parts) => TfliteReader.Read(TestData.Path(parts));

    private static string Histogram(TfliteFile f, TfliteSubgraph g) => string.Join(" ",
        g.Operators.GroupBy(o => f.OperatorCodes[o.OpcodeIndex].BuiltinOperator.Name())
            .OrderBy(x => x.Key, StringComparer.Ordinal).Select(x => $"{x.Key}={x.Count()}"));

    private static void AssertIo(TfliteTensor t, IoSpec spec)
    {
        Assert.Equal(spec.Shape, t.Shape);
        Assert.Equal(spec.Type, t.Type);
        if (spec.Scale is double s)
        {
            var q = Assert.IsType<TfliteQuantization>(t.Quantization);
            Assert.Single(q.Scale);
            Assert.Equal(s, q.Scale[0], s * 1e-3);
            Assert.Equal(spec.ZeroPoint, q.ZeroPoint[0]);
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Model_parses_with_expected_ops_and_io(string key)
    {
        Case c = Cases[key];
        TfliteFile f = Load(c.Path);
        Assert.Equal(3, f.Version);
        TfliteSubgraph g = Assert.Single(f.Subgraphs);
        Assert.Equal(c.Ops, Histogram(f, g));
        AssertIo(g.Tensors[Assert.Single(g.Inputs)], c.In);
        AssertIo(g.Tensors[Assert.Single(g.Outputs)], c.Out);
        Assert.Empty(f.Buffers[0]);
        foreach (TfliteOperator op in g.Operators)
            Assert.All(op.Inputs, i => Assert.InRange(i, -1, g.Tensors.Count - 1));
    }

    [Fact]
    public void Every_tflite_file_in_shared_data_is_covered_and_parses()
    {
        var files = Directory.GetFiles(TestData.Root, "*.tflite", SearchOption.AllDirectories);
        var names = files.Select(System.IO.Path.GetFileNameWithoutExtension).ToHashSet();
        Assert.All(Cases.Keys, key => Assert.Contains(key, names));
        foreach (string path in files)
            Assert.NotEmpty(TfliteReader.Read(path).Subgraphs[0].Operators);
    }

    [Theory]
    [InlineData("person_detect")]
    [InlineData("vww_96_int8")]
    [InlineData("pretrainedResnet_quant")]
    [InlineData("kws_ref_model")]
    [InlineData("str_ww_ref_model")]
    [InlineData("magic_wand_model")]
    [InlineData("micro_speech_quantized")]
    public void Conv_filters_are_per_channel_quantised(string key)
    {
        TfliteFile f = Load(Cases[key].Path);
        TfliteSubgraph g = f.Subgraphs[0];
        int convs = 0;
        foreach (TfliteOperator op in g.Operators)
        {
            var kind = f.OperatorCodes[op.OpcodeIndex].BuiltinOperator;
            if (kind is not (TfliteBuiltinOperator.CONV_2D or TfliteBuiltinOperator.DEPTHWISE_CONV_2D)) continue;
            convs++;
            TfliteTensor w = g.Tensors[op.Inputs[1]];
            bool depthwise = kind == TfliteBuiltinOperator.DEPTHWISE_CONV_2D;
            int channelDim = depthwise ? 3 : 0;
            Assert.Equal(4, w.Shape.Length);
            Assert.Equal(TfliteTensorType.INT8, w.Type);
            var q = Assert.IsType<TfliteQuantization>(w.Quantization);
            Assert.Equal(channelDim, q.QuantizedDimension);
            Assert.Equal(w.Shape[channelDim], q.Scale.Length);
            Assert.All(q.ZeroPoint, zp => Assert.Equal(0, zp));
            Assert.Equal(w.Shape.Aggregate(1, (a, d) => a * d), f.Buffers[w.Buffer].Length);
            if (depthwise) Assert.IsType<TfliteDepthwiseConv2DOptions>(op.Options);
            else Assert.IsType<TfliteConv2DOptions>(op.Options);
        }
        Assert.True(convs > 0);
    }

    [Fact]
    public void Person_detect_options_are_decoded()
    {
        TfliteFile f = Load(Cases["person_detect"].Path);
        TfliteSubgraph g = f.Subgraphs[0];
        TfliteOperator OpOf(TfliteBuiltinOperator k) => g.Operators.First(o => f.OperatorCodes[o.OpcodeIndex].BuiltinOperator == k);
        Assert.Equal(new TfliteDepthwiseConv2DOptions(TflitePadding.Same, 2, 2, 8, TfliteActivation.Relu6, 1, 1),
            OpOf(TfliteBuiltinOperator.DEPTHWISE_CONV_2D).Options);
        Assert.Equal(new TfliteConv2DOptions(TflitePadding.Same, 1, 1, TfliteActivation.Relu6, 1, 1),
            OpOf(TfliteBuiltinOperator.CONV_2D).Options);
        Assert.Equal(new TflitePool2DOptions(TflitePadding.Valid, 2, 2, 3, 3, TfliteActivation.None),
            OpOf(TfliteBuiltinOperator.AVERAGE_POOL_2D).Options);
        Assert.Equal(new TfliteSoftmaxOptions(1f), OpOf(TfliteBuiltinOperator.SOFTMAX).Options);
        Assert.IsType<TfliteReshapeOptions>(OpOf(TfliteBuiltinOperator.RESHAPE).Options);
        Assert.Equal("TOCO Converted.", f.Description);
    }

    [Fact]
    public void Hello_world_int8_has_three_fully_connected_layers()
    {
        TfliteFile f = Load(Cases["hello_world_int8"].Path);
        TfliteSubgraph g = f.Subgraphs[0];
        Assert.Equal(TfliteBuiltinOperator.FULLY_CONNECTED, Assert.Single(f.OperatorCodes).BuiltinOperator);
        Assert.Equal(3, g.Operators.Count);
        var acts = g.Operators.Select(o => Assert.IsType<TfliteFullyConnectedOptions>(o.Options).FusedActivation);
        Assert.Equal([TfliteActivation.Relu, TfliteActivation.Relu, TfliteActivation.None], acts);
        int[][] weightShapes = [.. g.Operators.Select(o => g.Tensors[o.Inputs[1]].Shape)];
        Assert.Equal([[16, 1], [16, 16], [1, 16]], weightShapes);
        // Chained: each FC consumes the previous output; biases are int32 of the output width.
        Assert.Equal(g.Inputs[0], g.Operators[0].Inputs[0]);
        Assert.Equal(g.Operators[0].Outputs[0], g.Operators[1].Inputs[0]);
        Assert.Equal(g.Operators[1].Outputs[0], g.Operators[2].Inputs[0]);
        Assert.Equal(g.Outputs[0], g.Operators[2].Outputs[0]);
        foreach (TfliteOperator op in g.Operators)
        {
            TfliteTensor w = g.Tensors[op.Inputs[1]], b = g.Tensors[op.Inputs[2]];
            Assert.Equal(TfliteTensorType.INT8, w.Type);
            Assert.Equal(TfliteTensorType.INT32, b.Type);
            Assert.Equal(4 * w.Shape[0], f.Buffers[b.Buffer].Length);
        }
        var inQ = g.Tensors[g.Inputs[0]].Quantization!;
        Assert.Equal(0.024480, inQ.Scale[0], 1e-5);
        Assert.Equal(-128, inQ.ZeroPoint[0]);
        var outQ = g.Tensors[g.Outputs[0]].Quantization!;
        Assert.Equal(0.008291, outQ.Scale[0], 1e-5);
        Assert.Equal(5, outQ.ZeroPoint[0]);
    }

    [Fact]
    public void Lstm_and_custom_ops_are_read()
    {
        TfliteFile lstm = Load(Cases["trained_lstm_int8"].Path);
        TfliteOperator op = lstm.Subgraphs[0].Operators.Single(o =>
            lstm.OperatorCodes[o.OpcodeIndex].BuiltinOperator == TfliteBuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM);
        var opts = Assert.IsType<TfliteUnidirectionalSequenceLstmOptions>(op.Options);
        Assert.Equal(TfliteActivation.Tanh, opts.FusedActivation);
        Assert.Contains(-1, op.Inputs); // optional LSTM inputs (peepholes, projection) are absent
        Assert.NotEmpty(op.Intermediates);

        TfliteFile pre = Load(Cases["audio_preprocessor_int8"].Path);
        var customs = pre.OperatorCodes.Where(c => c.BuiltinOperator == TfliteBuiltinOperator.CUSTOM).ToList();
        Assert.Equal(9, customs.Count);
        Assert.Contains(customs, c => c.CustomCode == "SignalFilterBank");
        Assert.All(pre.Subgraphs[0].Operators.Where(o => pre.OperatorCodes[o.OpcodeIndex].CustomCode is not null),
            o => Assert.NotNull(o.CustomOptions));
    }
}
