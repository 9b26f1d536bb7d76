namespace TinyTrain.Formats.Tflite;

/// <summary>
/// Reads .tflite flatbuffers into a <see cref="TfliteFile"/>. Every offset, vector length and vtable is
/// checked against the file bounds before use, and cross references (opcode, tensor and buffer indices,
/// zero-point count) are validated, so malformed input always ends in a one-line
/// <see cref="TfliteFormatException"/> naming the file and the table/field.
/// </summary>
public static class TfliteReader
{
    /// <summary>The flatbuffer file identifier of TFLite models (bytes 4..7).</summary>
    public const string FileIdentifier = "TFL3";

    /// <summary>The only schema version this reader (like TFLite Micro) accepts.</summary>
    public const int SchemaVersion = 3;

    /// <summary>Reads a model file. I/O errors (missing file, permissions) propagate unchanged.</summary>
    public static TfliteFile Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Read(File.ReadAllBytes(path), path);
    }

    /// <summary>Reads a model held in memory; <paramref name="name"/> is used in messages.</summary>
    public static TfliteFile Read(byte[] data, string name)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Read(new ReadOnlyMemory<byte>(data), name);
    }

    /// <summary>Reads a model held in memory; <paramref name="name"/> is used in messages.</summary>
    public static TfliteFile Read(ReadOnlyMemory<byte> data, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        try
        {
            return Parse(new FlatView(data, name));
        }
        catch (TfliteFormatException)
        {
            throw;
        }
        catch (Exception e)
        {
            // Safety net only: all known failure modes are checked explicitly above.
            string msg = e.Message.ReplaceLineEndings(" ");
            throw new TfliteFormatException($"{name}: unexpected {e.GetType().Name} while reading: {msg}", e);
        }
    }

    private static TfliteFile Parse(FlatView v)
    {
        if (v.Length < 8)
            throw v.Error("header", $"file is too short ({v.Length} bytes) to be a TFLite flatbuffer");
        ReadOnlySpan<byte> id = v.Span.Slice(4, 4);
        if (!id.SequenceEqual("TFL3"u8))
            throw v.Error("header", $"not a TFLite model: file identifier is {Describe(id)}, expected \"TFL3\"");

        var model = new FlatTable(v, v.Deref(0, "root offset"), "Model");
        uint version = model.U32(ModelF.Version);
        if (version != SchemaVersion)
            throw v.Error("Model.version", $"unsupported schema version {version} (expected {SchemaVersion})");

        List<byte[]> buffers = model.Tables(ModelF.Buffers, (t, _) => ReadBuffer(t));
        if (buffers.Count == 0) buffers.Add([]);
        List<TfliteOperatorCode> codes = model.Tables(ModelF.OperatorCodes, (t, _) => ReadOperatorCode(t));
        List<TfliteSubgraph> subgraphs =
            model.Tables(ModelF.Subgraphs, (t, _) => ReadSubgraph(t, codes.Count, buffers.Count));
        if (subgraphs.Count == 0)
            throw v.Error("Model.subgraphs", "model has no subgraphs");

        return new TfliteFile
        {
            SourceName = v.Name,
            Version = SchemaVersion,
            OperatorCodes = codes,
            Subgraphs = subgraphs,
            Buffers = buffers,
            Description = model.String(ModelF.Description) ?? "",
        };
    }

    private static byte[] ReadBuffer(FlatTable t)
    {
        byte[]? data = t.Bytes(BufferF.Data);
        if (data is { Length: > 0 }) return data;
        ulong offset = t.U64(BufferF.Offset), size = t.U64(BufferF.Size);
        if (offset <= 1) return data ?? []; // schema: offset is only meaningful when > 1
        return ReadExternal(t, offset, size, "offset/size");
    }

    /// <summary>Copies data stored outside the flatbuffer at [offset, offset+size) from the file start.</summary>
    private static byte[] ReadExternal(FlatTable t, ulong offset, ulong size, string what)
    {
        FlatView v = t.View;
        ulong len = (ulong)v.Length;
        if (offset > len || size > len - offset)
            throw v.Error($"{t.Where}.{what}", $"external data [{offset}, +{size}) lies outside the {v.Length}-byte file");
        v.Charge((long)size, t.Where);
        return v.Span.Slice((int)offset, (int)size).ToArray();
    }

    private static TfliteOperatorCode ReadOperatorCode(FlatTable t)
    {
        int code = Math.Max(t.I8(OperatorCodeF.DeprecatedBuiltinCode), t.I32(OperatorCodeF.BuiltinCode));
        if (code < 0)
            throw t.View.Error(t.Where + ".builtin_code", $"negative builtin operator code {code}");
        return new TfliteOperatorCode
        {
            BuiltinOperator = (TfliteBuiltinOperator)code,
            CustomCode = t.String(OperatorCodeF.CustomCode),
            Version = t.I32(OperatorCodeF.Version, 1),
        };
    }

    private static TfliteSubgraph ReadSubgraph(FlatTable t, int codeCount, int bufferCount)
    {
        List<TfliteTensor> tensors = t.Tables(SubGraphF.Tensors, (x, _) => ReadTensor(x, bufferCount));
        int n = tensors.Count;
        return new TfliteSubgraph
        {
            Tensors = tensors,
            Inputs = Indices(t, SubGraphF.Inputs, n, allowAbsent: false),
            Outputs = Indices(t, SubGraphF.Outputs, n, allowAbsent: false),
            Operators = t.Tables(SubGraphF.Operators, (x, _) => ReadOperator(x, codeCount, n)),
            Name = t.String(SubGraphF.Name) ?? "",
        };
    }

    private static TfliteTensor ReadTensor(FlatTable t, int bufferCount)
    {
        int[] shape = t.Ints(TensorF.Shape) ?? [];
        uint buffer = t.U32(TensorF.Buffer);
        if (buffer >= (uint)bufferCount)
            throw t.View.Error(t.Where + ".buffer", $"buffer index {buffer} is out of range (model has {bufferCount} buffers)");
        return new TfliteTensor
        {
            Name = t.String(TensorF.Name) ?? "",
            Shape = shape,
            ShapeSignature = t.Ints(TensorF.ShapeSignature),
            Type = (TfliteTensorType)t.U8(TensorF.Type),
            Buffer = (int)buffer,
            Quantization = t.Table(TensorF.Quantization) is FlatTable q ? ReadQuantization(q) : null,
            IsVariable = t.Bool(TensorF.IsVariable),
            IsSparse = t.Has(TensorF.Sparsity),
        };
    }

    private static TfliteQuantization? ReadQuantization(FlatTable q)
    {
        float[] scale = q.Floats(QuantizationF.Scale) ?? [];
        long[] zeroPoint = q.Longs(QuantizationF.ZeroPoint) ?? [];
        int dim = q.I32(QuantizationF.QuantizedDimension);
        bool custom = q.U8(QuantizationF.DetailsType) != 0;
        if (scale.Length == 0) return null;
        if (zeroPoint.Length != scale.Length)
            throw q.View.Error(q.Where + ".zero_point", $"{zeroPoint.Length} zero point(s) for {scale.Length} scale(s)");
        return new TfliteQuantization(scale, zeroPoint, dim) { HasCustomDetails = custom };
    }

    private static TfliteOperator ReadOperator(FlatTable t, int codeCount, int tensorCount)
    {
        uint opcode = t.U32(OperatorF.OpcodeIndex);
        if (opcode >= (uint)codeCount)
            throw t.View.Error(t.Where + ".opcode_index", $"opcode index {opcode} is out of range (model has {codeCount} operator codes)");
        var (type, options) = TfliteOptionsReader.Read(t);
        byte[]? custom = t.Bytes(OperatorF.CustomOptions);
        ulong largeOffset = t.U64(OperatorF.LargeCustomOptionsOffset);
        if (custom is null && largeOffset > 1)
            custom = ReadExternal(t, largeOffset, t.U64(OperatorF.LargeCustomOptionsSize), "large_custom_options_offset");
        return new TfliteOperator
        {
            OpcodeIndex = (int)opcode,
            Inputs = Indices(t, OperatorF.Inputs, tensorCount, allowAbsent: true),
            Outputs = Indices(t, OperatorF.Outputs, tensorCount, allowAbsent: true),
            Intermediates = Indices(t, OperatorF.Intermediates, tensorCount, allowAbsent: true),
            BuiltinOptionsType = type,
            Options = options,
            BuiltinOptions2Type = t.U8(OperatorF.BuiltinOptions2Type),
            CustomOptions = custom,
        };
    }

    /// <summary>Reads a tensor-index vector and checks each index (-1 allowed only when <paramref name="allowAbsent"/>).</summary>
    private static int[] Indices(FlatTable t, FieldId f, int tensorCount, bool allowAbsent)
    {
        int[] idx = t.Ints(f) ?? [];
        int min = allowAbsent ? -1 : 0;
        for (int i = 0; i < idx.Length; i++)
        {
            if (idx[i] < min || idx[i] >= tensorCount)
                throw t.View.Error($"{t.Where}.{f.Name}[{i}]", $"tensor index {idx[i]} is out of range (subgraph has {tensorCount} tensors)");
        }
        return idx;
    }

    private static string Describe(ReadOnlySpan<byte> id)
    {
        foreach (byte b in id)
        {
            if (b < 0x20 || b > 0x7e) return "0x" + Convert.ToHexString(id);
        }
        return "\"" + System.Text.Encoding.ASCII.GetString(id) + "\"";
    }
}
