using Google.FlatBuffers;

namespace TinyTrain.Formats.Tflite;

/// <summary>
/// Writes a <see cref="TfliteFile"/> as a .tflite flatbuffer (schema version 3, identifier "TFL3"): the mirror of
/// <see cref="TfliteReader"/>, using the same field ids (<see cref="ModelF"/> etc.), so reading what it wrote gives
/// the same records back. Only what the reader decodes can be written: options of an unknown type, custom
/// quantisation details and sparse tensors are refused with a <see cref="TfliteFormatException"/>.
/// </summary>
public static class TfliteWriter
{
    public static byte[] Write(TfliteFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var size = file.Buffers.Sum(b => (long)b.Length + 16) + (1 << 16);
        if (size > int.MaxValue / 2) throw new TfliteFormatException($"{file.SourceName}: {size} bytes of constants do not fit a flatbuffer (2 GB)");
        var b = new FlatBufferBuilder((int)size);

        // Flatbuffers are built back to front: children before the tables that point at them.
        var buffers = Offsets(b, file.Buffers, data => Buffer(b, data));
        var subgraphs = Offsets(b, file.Subgraphs, s => Subgraph(b, s, file.SourceName));
        var codes = Offsets(b, file.OperatorCodes, c => OperatorCode(b, c));
        var description = b.CreateString(file.Description);

        b.StartTable(5);
        b.AddUint(ModelF.Version.Id, (uint)file.Version, 0);
        b.AddOffset(ModelF.OperatorCodes.Id, codes, 0);
        b.AddOffset(ModelF.Subgraphs.Id, subgraphs, 0);
        b.AddOffset(ModelF.Description.Id, description.Value, 0);
        b.AddOffset(ModelF.Buffers.Id, buffers, 0);
        b.Finish(b.EndTable(), TfliteReader.FileIdentifier);
        return b.SizedByteArray();
    }

    private static int Buffer(FlatBufferBuilder b, byte[] data)
    {
        var vector = 0;
        if (data.Length > 0)
        {
            // The schema asks for 16-byte aligned data (force_align: 16) so kernels may read it in place.
            b.StartVector(1, data.Length, 16);
            b.Add<byte>(data);
            vector = b.EndVector().Value;
        }
        b.StartTable(1);
        if (vector != 0) b.AddOffset(BufferF.Data.Id, vector, 0);
        return b.EndTable();
    }

    private static int OperatorCode(FlatBufferBuilder b, TfliteOperatorCode code)
    {
        var custom = code.CustomCode is null ? 0 : b.CreateString(code.CustomCode).Value;
        var builtin = (int)code.BuiltinOperator;
        b.StartTable(4);
        // Codes above 127 live only in builtin_code; the old byte field holds the placeholder 127 then.
        b.AddSbyte(OperatorCodeF.DeprecatedBuiltinCode.Id, (sbyte)Math.Min(builtin, 127), 0);
        if (custom != 0) b.AddOffset(OperatorCodeF.CustomCode.Id, custom, 0);
        b.AddInt(OperatorCodeF.Version.Id, code.Version, 1);
        b.AddInt(OperatorCodeF.BuiltinCode.Id, builtin, 0);
        return b.EndTable();
    }

    private static int Subgraph(FlatBufferBuilder b, TfliteSubgraph s, string source)
    {
        var operators = Offsets(b, s.Operators, op => Operator(b, op, source));
        var tensors = Offsets(b, s.Tensors, t => Tensor(b, t, source));
        var inputs = Ints(b, s.Inputs);
        var outputs = Ints(b, s.Outputs);
        var name = b.CreateString(s.Name);
        b.StartTable(5);
        b.AddOffset(SubGraphF.Tensors.Id, tensors, 0);
        b.AddOffset(SubGraphF.Inputs.Id, inputs, 0);
        b.AddOffset(SubGraphF.Outputs.Id, outputs, 0);
        b.AddOffset(SubGraphF.Operators.Id, operators, 0);
        b.AddOffset(SubGraphF.Name.Id, name.Value, 0);
        return b.EndTable();
    }

    private static int Tensor(FlatBufferBuilder b, TfliteTensor t, string source)
    {
        if (t.IsSparse) throw new TfliteFormatException($"{source}: tensor '{t.Name}' is sparse, which the writer does not support");
        var quantization = t.Quantization is { } q ? Quantization(b, q, t.Name, source) : 0;
        var signature = t.ShapeSignature is null ? 0 : Ints(b, t.ShapeSignature);
        var name = b.CreateString(t.Name);
        var shape = Ints(b, t.Shape);
        b.StartTable(8);
        b.AddOffset(TensorF.Shape.Id, shape, 0);
        b.AddByte(TensorF.Type.Id, (byte)t.Type, 0);
        b.AddUint(TensorF.Buffer.Id, (uint)t.Buffer, 0);
        b.AddOffset(TensorF.Name.Id, name.Value, 0);
        if (quantization != 0) b.AddOffset(TensorF.Quantization.Id, quantization, 0);
        b.AddBool(TensorF.IsVariable.Id, t.IsVariable, false);
        if (signature != 0) b.AddOffset(TensorF.ShapeSignature.Id, signature, 0);
        return b.EndTable();
    }

    private static int Quantization(FlatBufferBuilder b, TfliteQuantization q, string tensor, string source)
    {
        if (q.HasCustomDetails) throw new TfliteFormatException($"{source}: tensor '{tensor}' has custom quantisation details, which the writer does not support");
        b.StartVector(4, q.Scale.Length, 4);
        for (var i = q.Scale.Length - 1; i >= 0; i--) b.AddFloat(q.Scale[i]);
        var scale = b.EndVector().Value;
        b.StartVector(8, q.ZeroPoint.Length, 8);
        for (var i = q.ZeroPoint.Length - 1; i >= 0; i--) b.AddLong(q.ZeroPoint[i]);
        var zeroPoint = b.EndVector().Value;
        b.StartTable(7);
        b.AddOffset(QuantizationF.Scale.Id, scale, 0);
        b.AddOffset(QuantizationF.ZeroPoint.Id, zeroPoint, 0);
        b.AddInt(QuantizationF.QuantizedDimension.Id, q.QuantizedDimension, 0);
        return b.EndTable();
    }

    private static int Operator(FlatBufferBuilder b, TfliteOperator op, string source)
    {
        var options = op.BuiltinOptionsType == TfliteBuiltinOptionsType.None ? 0
            : op.Options is { } o ? TfliteOptionsWriter.Write(b, o)
            : throw new TfliteFormatException($"{source}: an operator has builtin options of type {(int)op.BuiltinOptionsType}, which the writer does not know");
        if (op.BuiltinOptions2Type != 0)
            throw new TfliteFormatException($"{source}: an operator has BuiltinOptions2 (type {op.BuiltinOptions2Type}), which the writer does not support");
        var custom = 0;
        if (op.CustomOptions is { } bytes)
        {
            b.StartVector(1, bytes.Length, 1);
            b.Add<byte>(bytes);
            custom = b.EndVector().Value;
        }
        var intermediates = op.Intermediates.Length > 0 ? Ints(b, op.Intermediates) : 0;
        var inputs = Ints(b, op.Inputs);
        var outputs = Ints(b, op.Outputs);
        b.StartTable(9);
        b.AddUint(OperatorF.OpcodeIndex.Id, (uint)op.OpcodeIndex, 0);
        b.AddOffset(OperatorF.Inputs.Id, inputs, 0);
        b.AddOffset(OperatorF.Outputs.Id, outputs, 0);
        b.AddByte(OperatorF.BuiltinOptionsType.Id, (byte)op.BuiltinOptionsType, 0);
        if (options != 0) b.AddOffset(OperatorF.BuiltinOptions.Id, options, 0);
        if (custom != 0) b.AddOffset(OperatorF.CustomOptions.Id, custom, 0);
        if (intermediates != 0) b.AddOffset(OperatorF.Intermediates.Id, intermediates, 0);
        return b.EndTable();
    }

    internal static int Ints(FlatBufferBuilder b, IReadOnlyList<int> values)
    {
        b.StartVector(4, values.Count, 4);
        for (var i = values.Count - 1; i >= 0; i--) b.AddInt(values[i]);
        return b.EndVector().Value;
    }

    /// <summary>A vector of tables: the tables first (each built by <paramref name="build"/>), then their offsets.</summary>
    private static int Offsets<T>(FlatBufferBuilder b, IReadOnlyList<T> items, Func<T, int> build)
    {
        var offsets = new int[items.Count];
        for (var i = 0; i < items.Count; i++) offsets[i] = build(items[i]);
        b.StartVector(4, offsets.Length, 4);
        for (var i = offsets.Length - 1; i >= 0; i--) b.AddOffset(offsets[i]);
        return b.EndVector().Value;
    }
}
