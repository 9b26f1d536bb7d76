using Google.FlatBuffers;
using TinyTrain.Formats.Tflite;

namespace TinyTrain.Tests.Formats.Tflite;

/// <summary>Hand-built models (via FlatBufferBuilder) for schema corners the shared files do not exercise.</summary>
public class TfliteSyntheticTests
{
    /// <summary>What to put into a one-operator model: input t0, weights t1 (buffer 1), output t2.</summary>
    private sealed class Spec
    {
        public sbyte DeprecatedCode = 9;
        public int? BuiltinCode = 9;
        public string? CustomCode;
        public uint OpcodeIndex;
        public int[] OpInputs = [0, 2, -1];
        public byte OptionsType = 8; // FullyConnectedOptions
        public Func<FlatBufferBuilder, int>? Options = b => { b.StartTable(3); b.AddByte(0, 1, 0); return b.EndTable(); };
        public byte[] Weights = [1, 2, 3, 4];
        public ulong? ExternalOffset; // store Weights outside the flatbuffer at this file offset
        public int TensorRepeat = 1;  // how many times the tensors vector repeats the weights-tensor offset
        public int ShapeLength = 2;
        public bool NoSubgraph;
        public uint Version = 3;
    }

    private static int IntVector(FlatBufferBuilder b, int[] values)
    {
        b.StartVector(4, values.Length, 4);
        for (int i = values.Length - 1; i >= 0; i--) b.AddInt(values[i]);
        return b.EndVector().Value;
    }

    private static int OffsetVector(FlatBufferBuilder b, int[] offsets)
    {
        b.StartVector(4, offsets.Length, 4);
        for (int i = offsets.Length - 1; i >= 0; i--) b.AddOffset(offsets[i]);
        return b.EndVector().Value;
    }

    private static int Tensor(FlatBufferBuilder b, string name, int[] shape, uint buffer)
    {
        int n = b.CreateString(name).Value, s = IntVector(b, shape);
        b.StartTable(6);
        b.AddOffset(0, s, 0);
        b.AddByte(1, 9, 0); // INT8
        b.AddUint(2, buffer, 0);
        b.AddOffset(3, n, 0);
        return b.EndTable();
    }

    private static byte[] Build(Spec spec)
    {
        var b = new FlatBufferBuilder(1024);
        int data = 0;
        if (spec.ExternalOffset is null)
        {
            b.StartVector(1, spec.Weights.Length, 16);
            for (int i = spec.Weights.Length - 1; i >= 0; i--) b.AddByte(spec.Weights[i]);
            data = b.EndVector().Value;
        }
        b.StartTable(0);
        int empty = b.EndTable();
        b.StartTable(3);
        if (spec.ExternalOffset is ulong off) { b.AddUlong(1, off, 0); b.AddUlong(2, (ulong)spec.Weights.Length, 0); }
        else b.AddOffset(0, data, 0);
        int buffers = OffsetVector(b, [empty, b.EndTable()]);

        int custom = spec.CustomCode is null ? 0 : b.CreateString(spec.CustomCode).Value;
        b.StartTable(4);
        b.AddSbyte(0, spec.DeprecatedCode, 0);
        if (custom != 0) b.AddOffset(1, custom, 0);
        if (spec.BuiltinCode is int code) b.AddInt(3, code, 0);
        int codes = OffsetVector(b, [b.EndTable()]);

        int t0 = Tensor(b, "in", [1, 4], 0);
        int t1 = Tensor(b, "w", [.. Enumerable.Repeat(1, spec.ShapeLength)], 1);
        int t2 = Tensor(b, "out", [1, 1], 0);
        int tensors = OffsetVector(b, [t0, t2, .. Enumerable.Repeat(t1, spec.TensorRepeat)]);
        int opIn = IntVector(b, spec.OpInputs), opOut = IntVector(b, [1]);
        int options = spec.Options?.Invoke(b) ?? 0;
        b.StartTable(5);
        b.AddUint(0, spec.OpcodeIndex, 0);
        b.AddOffset(1, opIn, 0);
        b.AddOffset(2, opOut, 0);
        b.AddByte(3, spec.OptionsType, 0);
        if (options != 0) b.AddOffset(4, options, 0);
        int ops = OffsetVector(b, [b.EndTable()]);
        int sgIn = IntVector(b, [0]), sgOut = IntVector(b, [1]);
        b.StartTable(4);
        b.AddOffset(0, tensors, 0);
        b.AddOffset(1, sgIn, 0);
        b.AddOffset(2, sgOut, 0);
        b.AddOffset(3, ops, 0);
        int subgraph = b.EndTable();
        int subgraphs = OffsetVector(b, spec.NoSubgraph ? [] : [subgraph]);

        int desc = b.CreateString("synthetic").Value;
        b.StartTable(5);
        b.AddUint(0, spec.Version, 0);
        b.AddOffset(1, codes, 0);
        b.AddOffset(2, subgraphs, 0);
        b.AddOffset(3, desc, 0);
        b.AddOffset(4, buffers, 0);
        b.Finish(b.EndTable(), "TFL3");
        byte[] model = b.SizedByteArray();
        if (spec.ExternalOffset is not ulong at || at < (ulong)model.Length || at > 1 << 20) return model;
        var file = new byte[(int)at + spec.Weights.Length];
        model.CopyTo(file, 0);
        spec.Weights.CopyTo(file, (int)at);
        return file;
    }

    private static TfliteFile Read(Spec spec) => TfliteReader.Read(Build(spec), "synthetic.tflite");

    private static void AssertRejected(Spec spec, string expected)
    {
        var ex = Assert.Throws<TfliteFormatException>(() => Read(spec));
        Assert.Null(ex.InnerException);
        Assert.StartsWith("synthetic.tflite: ", ex.Message);
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void Baseline_model_round_trips()
    {
        TfliteFile f = Read(new Spec());
        Assert.Equal("synthetic", f.Description);
        Assert.Equal(TfliteBuiltinOperator.FULLY_CONNECTED, f.OperatorCodes[0].BuiltinOperator);
        Assert.Equal(1, f.OperatorCodes[0].Version); // schema default
        TfliteOperator op = f.Subgraphs[0].Operators[0];
        Assert.Equal([0, 2, -1], op.Inputs);
        Assert.Equal(new TfliteFullyConnectedOptions(TfliteActivation.Relu, TfliteWeightsFormat.Default, false, false), op.Options);
        Assert.Equal([1, 2, 3, 4], f.Buffers[f.Subgraphs[0].Tensors[2].Buffer]); // tensors = [in, out, w]
        Assert.Null(f.Subgraphs[0].Tensors[0].Quantization);
    }

    [Fact]
    public void External_buffer_data_is_read_from_offset_and_size()
    {
        byte[] weights = [.. Enumerable.Range(0, 100).Select(i => (byte)i)];
        TfliteFile f = Read(new Spec { Weights = weights, ExternalOffset = 4096 });
        Assert.Equal(weights, f.Buffers[1]);
        AssertRejected(new Spec { Weights = weights, ExternalOffset = ulong.MaxValue - 10 }, "buffers[1].offset/size");
    }

    [Theory]
    [InlineData(3, null, TfliteBuiltinOperator.CONV_2D)]                  // pre-3a file: only the byte code
    [InlineData(127, 150, TfliteBuiltinOperator.GELU)]                    // extended code beyond 127
    [InlineData(9, 9, TfliteBuiltinOperator.FULLY_CONNECTED)]
    [InlineData(127, 250, (TfliteBuiltinOperator)250)]                    // unknown to this reader: kept numeric
    public void Builtin_code_is_max_of_both_fields(int deprecated, int? code, TfliteBuiltinOperator expected)
    {
        TfliteFile f = Read(new Spec { DeprecatedCode = (sbyte)deprecated, BuiltinCode = code });
        Assert.Equal(expected, f.OperatorCodes[0].BuiltinOperator);
    }

    [Fact]
    public void Custom_code_and_unknown_options_are_kept()
    {
        TfliteFile f = Read(new Spec { DeprecatedCode = 32, BuiltinCode = 32, CustomCode = "MyOp", OptionsType = 29 });
        Assert.Equal("MyOp", f.OperatorCodes[0].CustomCode);
        TfliteOperator op = f.Subgraphs[0].Operators[0];
        Assert.Equal((TfliteBuiltinOptionsType)29, op.BuiltinOptionsType);
        Assert.Null(op.Options);
    }

    [Fact]
    public void Conv_dilation_defaults_to_one_and_enums_are_checked()
    {
        var spec = new Spec
        {
            OptionsType = 1,
            Options = b => { b.StartTable(6); b.AddByte(0, 1, 0); b.AddInt(1, 2, 0); b.AddInt(2, 3, 0); return b.EndTable(); },
        };
        Assert.Equal(new TfliteConv2DOptions(TflitePadding.Valid, 2, 3, TfliteActivation.None, 1, 1),
            Read(spec).Subgraphs[0].Operators[0].Options);
        spec.Options = b => { b.StartTable(1); b.AddByte(0, 7, 0); return b.EndTable(); };
        AssertRejected(spec, "builtin_options.padding: invalid Padding value 7");
        spec.OptionsType = 8;
        AssertRejected(spec, "builtin_options.fused_activation_function: invalid ActivationFunctionType value 7");
    }

    [Fact]
    public void Dangling_indices_are_rejected()
    {
        AssertRejected(new Spec { OpcodeIndex = 1 }, "operators[0].opcode_index: opcode index 1 is out of range");
        AssertRejected(new Spec { OpInputs = [0, 5] }, "operators[0].inputs[1]: tensor index 5 is out of range");
        AssertRejected(new Spec { OpInputs = [-2] }, "tensor index -2 is out of range");
        AssertRejected(new Spec { NoSubgraph = true }, "Model.subgraphs: model has no subgraphs");
        AssertRejected(new Spec { Version = 2 }, "Model.version: unsupported schema version 2 (expected 3)");
    }

    [Fact]
    public void Huge_vector_length_is_rejected_before_allocation()
    {
        byte[] file = Build(new Spec { ShapeLength = 3 });
        // The weights tensor's shape is the only [1,1,1] int vector: patch its length to 2^31.
        ReadOnlySpan<byte> pattern = [3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0];
        int at = file.AsSpan().IndexOf(pattern);
        Assert.True(at >= 0);
        BitConverter.GetBytes(0x80000000u).CopyTo(file, at);
        var ex = Assert.Throws<TfliteFormatException>(() => TfliteReader.Read(file, "huge.tflite"));
        Assert.Contains("tensors[2].shape: vector at offset", ex.Message);
        Assert.Contains("claims 2147483648 element(s)", ex.Message);
    }

    [Fact]
    public void Aliased_offsets_cannot_amplify_memory()
    {
        // 20,000 tensor entries sharing one tensor whose shape has 20,000 dims: 400M ints if materialised.
        var ex = Assert.Throws<TfliteFormatException>(() => Read(new Spec { TensorRepeat = 20_000, ShapeLength = 20_000 }));
        Assert.Contains("far more data than the file holds", ex.Message);
    }

    [Fact]
    public void Operator_names_match_the_schema()
    {
        Assert.Equal("CONV_2D", TfliteBuiltinOperator.CONV_2D.Name());
        Assert.Equal("UNIDIRECTIONAL_SEQUENCE_LSTM", ((TfliteBuiltinOperator)44).Name());
        Assert.Equal("BUILTIN_999", ((TfliteBuiltinOperator)999).Name());
        int[] values = [(int)TfliteBuiltinOperator.ADD, (int)TfliteBuiltinOperator.AVERAGE_POOL_2D,
            (int)TfliteBuiltinOperator.CONCATENATION, (int)TfliteBuiltinOperator.CONV_2D,
            (int)TfliteBuiltinOperator.DEPTHWISE_CONV_2D, (int)TfliteBuiltinOperator.DEQUANTIZE,
            (int)TfliteBuiltinOperator.FULLY_CONNECTED, (int)TfliteBuiltinOperator.LOGISTIC,
            (int)TfliteBuiltinOperator.MAX_POOL_2D, (int)TfliteBuiltinOperator.MUL, (int)TfliteBuiltinOperator.RELU,
            (int)TfliteBuiltinOperator.RELU6, (int)TfliteBuiltinOperator.RESHAPE, (int)TfliteBuiltinOperator.SOFTMAX,
            (int)TfliteBuiltinOperator.TANH, (int)TfliteBuiltinOperator.PAD, (int)TfliteBuiltinOperator.MEAN,
            (int)TfliteBuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM, (int)TfliteBuiltinOperator.QUANTIZE];
        Assert.Equal([0, 1, 2, 3, 4, 6, 9, 14, 17, 18, 19, 21, 22, 25, 28, 34, 40, 44, 114], values);
        Assert.Equal(9, (int)TfliteTensorType.INT8);
        Assert.Equal(7, (int)TfliteTensorType.INT16);
    }
}
