using System.Collections.ObjectModel;
using System.Runtime.InteropServices;

namespace TinyTrain.Formats.Pickle;

/// <summary>Element types of numpy arrays the reader accepts.</summary>
public enum NdDType { Bool, Int8, UInt8, Int16, UInt16, Int32, UInt32, Int64, UInt64, Float32, Float64 }

/// <summary>A C-order, little-endian numpy array rebuilt from a pickle (raw bytes, no interpretation).</summary>
public sealed class NdArray
{
    byte[] _data = [];
    int[] _shape = [];

    internal NdArray() { }

    internal bool IsBuilt { get; private set; }
    public NdDType DType { get; private set; }
    public IReadOnlyList<int> Shape { get; private set; } = ReadOnlyCollection<int>.Empty;
    public int Rank => _shape.Length;
    /// <summary>Element count (product of the shape).</summary>
    public long Length => _data.Length / ItemSize;
    public int ItemSize => ItemSizeOf(DType);
    /// <summary>numpy name of the dtype: "int8", "int32", "float32", ...</summary>
    public string DTypeName => NameOf(DType);
    /// <summary>Raw little-endian C-order bytes.</summary>
    public ReadOnlyMemory<byte> Bytes => _data;

    public int[] GetShape() => (int[])_shape.Clone();
    public bool[] AsBool() => Copy<bool>(NdDType.Bool);
    public sbyte[] AsSByte() => Copy<sbyte>(NdDType.Int8);
    public byte[] AsByte() => Copy<byte>(NdDType.UInt8);
    public short[] AsInt16() => Copy<short>(NdDType.Int16);
    public int[] AsInt32() => Copy<int>(NdDType.Int32);
    public long[] AsInt64() => Copy<long>(NdDType.Int64);
    public float[] AsFloat32() => Copy<float>(NdDType.Float32);
    public double[] AsFloat64() => Copy<double>(NdDType.Float64);

    public override string ToString() => $"ndarray({DTypeName}, [{string.Join(", ", _shape)}])";

    T[] Copy<T>(NdDType expected) where T : unmanaged
    {
        if (DType != expected)
            throw new InvalidOperationException($"ndarray has dtype {DTypeName}, not {NameOf(expected)}");
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("NdArray accessors need a little-endian host");
        return MemoryMarshal.Cast<byte, T>(_data).ToArray();
    }

    internal void Init(NdDType dtype, int[] shape, byte[] data)
    {
        DType = dtype;
        _shape = shape;
        Shape = Array.AsReadOnly(shape);
        _data = data;
        IsBuilt = true;
    }

    public static int ItemSizeOf(NdDType t) => t switch
    {
        NdDType.Bool or NdDType.Int8 or NdDType.UInt8 => 1,
        NdDType.Int16 or NdDType.UInt16 => 2,
        NdDType.Int32 or NdDType.UInt32 or NdDType.Float32 => 4,
        _ => 8,
    };

    public static string NameOf(NdDType t) => t switch
    {
        NdDType.Bool => "bool",
        NdDType.Float32 => "float32",
        NdDType.Float64 => "float64",
        _ => t.ToString().ToLowerInvariant(),
    };

    /// <summary>Parses a numpy type code such as "i1", "&lt;i4", "|u1", "f4"; order is '&lt;', '&gt;', '|' or '='.</summary>
    internal static bool TryParseCode(string code, out NdDType type, out char order)
    {
        order = '=';
        type = default;
        if (code.Length >= 2 && code[0] is '<' or '>' or '|' or '=') { order = code[0]; code = code[1..]; }
        NdDType? t = code switch
        {
            "b1" or "?" => NdDType.Bool,
            "i1" => NdDType.Int8, "u1" => NdDType.UInt8,
            "i2" => NdDType.Int16, "u2" => NdDType.UInt16,
            "i4" => NdDType.Int32, "u4" => NdDType.UInt32,
            "i8" => NdDType.Int64, "u8" => NdDType.UInt64,
            "f4" => NdDType.Float32, "f8" => NdDType.Float64,
            _ => null,
        };
        if (t is null) return false;
        type = t.Value;
        return true;
    }
}
