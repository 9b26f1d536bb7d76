using System.Runtime.InteropServices;

namespace TinyTrain.Ir;

/// <summary>Immutable little-endian bytes of a constant tensor (weights, biases).</summary>
public sealed class TensorData
{
    private readonly byte[] bytes;

    private TensorData(DType type, byte[] bytes)
    {
        DType = type;
        this.bytes = bytes;
    }

    public DType DType { get; }
    public int Length => bytes.Length / DType.SizeInBytes();
    public ReadOnlySpan<byte> Bytes => bytes;

    public static TensorData FromBytes(DType type, ReadOnlySpan<byte> data)
    {
        if (data.Length % type.SizeInBytes() != 0)
            throw new ArgumentException($"{data.Length} bytes is not a whole number of {type.Name()} elements");
        return new TensorData(type, data.ToArray());
    }

    public static TensorData From(ReadOnlySpan<sbyte> values) => new(DType.Int8, MemoryMarshal.AsBytes(values).ToArray());
    public static TensorData From(ReadOnlySpan<int> values) => new(DType.Int32, MemoryMarshal.AsBytes(values).ToArray());
    public static TensorData From(ReadOnlySpan<float> values) => new(DType.Float32, MemoryMarshal.AsBytes(values).ToArray());

    public ReadOnlySpan<T> As<T>() where T : unmanaged => MemoryMarshal.Cast<byte, T>(bytes);

    public sbyte[] ToSByteArray() => Expect(DType.Int8).As<sbyte>().ToArray();
    public int[] ToInt32Array() => Expect(DType.Int32).As<int>().ToArray();
    public float[] ToFloatArray() => Expect(DType.Float32).As<float>().ToArray();

    private TensorData Expect(DType type) =>
        DType == type ? this : throw new InvalidOperationException($"tensor data is {DType.Name()}, not {type.Name()}");
}
