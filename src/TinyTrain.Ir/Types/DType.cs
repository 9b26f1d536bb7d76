namespace TinyTrain.Ir;

public enum DType
{
    Int8,
    Int32,
    Float32,
    UInt8,
    Int64,

    /// <summary>A 1-bit mask (clamp masks of the backward pass), packed 8 per byte, LSB first.</summary>
    Bit,
}

public static class DTypeExtensions
{
    public static int SizeInBytes(this DType type) => type switch
    {
        DType.Int8 or DType.UInt8 => 1,
        DType.Int32 or DType.Float32 => 4,
        DType.Int64 => 8,
        DType.Bit => throw new InvalidOperationException("a bit mask has no whole-byte element size; use TensorType.SizeInBytes"),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public static string Name(this DType type) => type switch
    {
        DType.Int8 => "int8",
        DType.Int32 => "int32",
        DType.Float32 => "float32",
        DType.UInt8 => "uint8",
        DType.Int64 => "int64",
        DType.Bit => "bit",
        _ => type.ToString(),
    };
}
