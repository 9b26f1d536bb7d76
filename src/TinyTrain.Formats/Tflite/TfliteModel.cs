namespace TinyTrain.Formats.Tflite;

/// <summary>A fully materialised .tflite model (schema version 3), independent of the IR.</summary>
public sealed record TfliteFile
{
    /// <summary>Name the file was read under (path or caller-given name), used in messages.</summary>
    public required string SourceName { get; init; }
    public required int Version { get; init; }
    public required IReadOnlyList<TfliteOperatorCode> OperatorCodes { get; init; }
    /// <summary>Subgraph 0 is the main model.</summary>
    public required IReadOnlyList<TfliteSubgraph> Subgraphs { get; init; }
    /// <summary>
    /// Data of each buffer (empty array when none), including buffers stored outside the flatbuffer via
    /// offset/size. Never empty: if the file has no buffers, index 0 is an empty sentinel.
    /// </summary>
    public required IReadOnlyList<byte[]> Buffers { get; init; }
    /// <summary>Model description, "" when absent.</summary>
    public required string Description { get; init; }
}

/// <summary>An entry of the model's operator_codes table.</summary>
public sealed record TfliteOperatorCode
{
    /// <summary>max(deprecated_builtin_code, builtin_code), as the schema prescribes.</summary>
    public required TfliteBuiltinOperator BuiltinOperator { get; init; }
    /// <summary>Custom op name (BuiltinOperator is CUSTOM), else null.</summary>
    public string? CustomCode { get; init; }
    public required int Version { get; init; }
}

public sealed record TfliteSubgraph
{
    public required IReadOnlyList<TfliteTensor> Tensors { get; init; }
    /// <summary>Tensor indices of the subgraph inputs (all valid, non-negative).</summary>
    public required int[] Inputs { get; init; }
    public required int[] Outputs { get; init; }
    /// <summary>Operators in execution order.</summary>
    public required IReadOnlyList<TfliteOperator> Operators { get; init; }
    /// <summary>Subgraph name, "" when absent.</summary>
    public required string Name { get; init; }
}

public sealed record TfliteTensor
{
    /// <summary>Tensor name, "" when absent.</summary>
    public required string Name { get; init; }
    /// <summary>Shape as stored (NHWC for images); empty for scalars or when absent.</summary>
    public required int[] Shape { get; init; }
    /// <summary>shape_signature (-1 marks dynamic dims), or null when absent.</summary>
    public int[]? ShapeSignature { get; init; }
    public required TfliteTensorType Type { get; init; }
    /// <summary>Index into <see cref="TfliteFile.Buffers"/> (validated); 0 = no data.</summary>
    public required int Buffer { get; init; }
    /// <summary>Affine quantisation, or null when absent or without scales.</summary>
    public TfliteQuantization? Quantization { get; init; }
    public bool IsVariable { get; init; }
    /// <summary>True when the tensor carries sparsity parameters (not decoded).</summary>
    public bool IsSparse { get; init; }
}

/// <summary>
/// Affine quantisation: real = Scale[c] * (q - ZeroPoint[c]) along QuantizedDimension.
/// Scale is non-empty and ZeroPoint has the same length. QuantizedDimension is as stored and not checked
/// against the shape (TOCO files carry e.g. dimension 3 on 1-D per-channel bias tensors).
/// </summary>
public sealed record TfliteQuantization(float[] Scale, long[] ZeroPoint, int QuantizedDimension)
{
    /// <summary>True when the file holds a QuantizationDetails union (custom scheme) that overrides scale/zero point.</summary>
    public bool HasCustomDetails { get; init; }
}

public sealed record TfliteOperator
{
    /// <summary>Index into <see cref="TfliteFile.OperatorCodes"/> (validated).</summary>
    public required int OpcodeIndex { get; init; }
    /// <summary>Tensor indices; -1 marks an absent optional input.</summary>
    public required int[] Inputs { get; init; }
    /// <summary>Tensor indices; -1 marks an absent optional output.</summary>
    public required int[] Outputs { get; init; }
    /// <summary>Tensor indices of the operator's internal tensors (e.g. LSTM gates); empty when absent.</summary>
    public int[] Intermediates { get; init; } = [];
    /// <summary>BuiltinOptions union number as stored; unknown numbers are kept as is.</summary>
    public TfliteBuiltinOptionsType BuiltinOptionsType { get; init; }
    /// <summary>Decoded options, or null when absent or of a type this reader does not decode.</summary>
    public TfliteOptions? Options { get; init; }
    /// <summary>BuiltinOptions2 union number (StableHLO ops), 0 when none. Not decoded.</summary>
    public int BuiltinOptions2Type { get; init; }
    /// <summary>custom_options bytes (normally FlexBuffers), also from large_custom_options_*; null when absent.</summary>
    public byte[]? CustomOptions { get; init; }
}
