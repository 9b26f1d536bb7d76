using System.Buffers.Binary;
using System.Text;

namespace TinyTrain.Formats.Tflite;

/// <summary>A flatbuffer table field: id (declaration order in the schema) and schema name for messages.</summary>
internal readonly record struct FieldId(int Id, string Name);

/// <summary>
/// Bounds-checked little-endian reads over a whole flatbuffer. Every failure becomes a
/// <see cref="TfliteFormatException"/>. A work budget proportional to the file size stops files whose
/// offsets alias the same data many times from blowing up memory or time.
/// </summary>
internal sealed class FlatView
{
    private readonly ReadOnlyMemory<byte> _data;
    private long _budget;

    public FlatView(ReadOnlyMemory<byte> data, string name)
    {
        _data = data;
        Name = name;
        _budget = 16L * data.Length + (1 << 20);
    }

    public string Name { get; }

    public int Length => _data.Length;

    public ReadOnlySpan<byte> Span => _data.Span;

    public TfliteFormatException Error(string where, string problem) => new($"{Name}: {where}: {problem}");

    /// <summary>Throws unless [pos, pos+size) lies inside the file.</summary>
    public void Require(long pos, long size, string where)
    {
        if (pos < 0 || size < 0 || pos > Length - size)
            throw Error(where, $"{size} byte(s) at offset {pos} lie outside the {Length}-byte file");
    }

    /// <summary>Accounts for materialised data; throws once a file asks for far more than its size.</summary>
    public void Charge(long units, string where)
    {
        _budget -= units;
        if (_budget < 0)
            throw Error(where, "offsets reference far more data than the file holds (aliased or corrupt offsets)");
    }

    public byte U8(long pos, string where) { Require(pos, 1, where); return Span[(int)pos]; }

    public ushort U16(long pos, string where)
    {
        Require(pos, 2, where);
        return BinaryPrimitives.ReadUInt16LittleEndian(Span.Slice((int)pos, 2));
    }

    public int I32(long pos, string where)
    {
        Require(pos, 4, where);
        return BinaryPrimitives.ReadInt32LittleEndian(Span.Slice((int)pos, 4));
    }

    public uint U32(long pos, string where) => unchecked((uint)I32(pos, where));

    public long I64(long pos, string where)
    {
        Require(pos, 8, where);
        return BinaryPrimitives.ReadInt64LittleEndian(Span.Slice((int)pos, 8));
    }

    public float F32(long pos, string where) => BitConverter.Int32BitsToSingle(I32(pos, where));

    /// <summary>Follows the unsigned 32-bit offset stored at <paramref name="pos"/> (relative to pos).</summary>
    public long Deref(long pos, string where)
    {
        long target = pos + U32(pos, where);
        if (target >= Length)
            throw Error(where, $"offset at {pos} points to {target}, past the end of the {Length}-byte file");
        return target;
    }

    /// <summary>Validates the vector header at <paramref name="vec"/>; returns (first element position, count).</summary>
    public (long Start, int Count) Vector(long vec, int elemSize, string where)
    {
        uint n = U32(vec, where);
        long start = vec + 4;
        long room = Length - start;
        if (n > room / elemSize)
            throw Error(where, $"vector at offset {vec} claims {n} element(s) of {elemSize} byte(s) but only {room} byte(s) remain");
        Charge((long)n * elemSize + 8, where);
        return (start, (int)n);
    }

    public string Utf8(long start, int count) => Encoding.UTF8.GetString(Span.Slice((int)start, count));
}

/// <summary>One flatbuffer table with a validated vtable; field accessors return defaults when absent.</summary>
internal readonly struct FlatTable
{
    private readonly FlatView _v;
    private readonly long _pos;
    private readonly long _vt;
    private readonly int _vtSize;
    private readonly int _size;

    public FlatTable(FlatView view, long pos, string where)
    {
        _v = view;
        _pos = pos;
        Where = where;
        long vt = pos - view.I32(pos, where);
        if (vt < 0 || vt > view.Length - 4)
            throw view.Error(where, $"vtable of the table at offset {pos} would be at {vt}, outside the {view.Length}-byte file");
        _vtSize = view.U16(vt, where);
        _size = view.U16(vt + 2, where);
        if (_vtSize < 4 || (_vtSize & 1) != 0)
            throw view.Error(where, $"vtable at offset {vt} has invalid size {_vtSize}");
        if (vt > view.Length - _vtSize)
            throw view.Error(where, $"vtable at offset {vt} ({_vtSize} bytes) runs past the end of the {view.Length}-byte file");
        if (_size < 4)
            throw view.Error(where, $"table at offset {pos} has invalid inline size {_size}");
        view.Require(pos, _size, where);
        _vt = vt;
        view.Charge(16, where);
    }

    /// <summary>Path of this table for messages, e.g. "Model.subgraphs[0].tensors[3]".</summary>
    public string Where { get; }

    public FlatView View => _v;

    private string At(FieldId f) => Where + "." + f.Name;

    /// <summary>Absolute position of a present field of <paramref name="size"/> bytes, or -1 when absent.</summary>
    private long Field(FieldId f, int size)
    {
        int slot = 4 + 2 * f.Id;
        if (slot + 2 > _vtSize) return -1;
        int off = _v.U16(_vt + slot, Where);
        if (off == 0) return -1;
        if (off < 4 || off + size > _size)
            throw _v.Error(At(f), $"field at table offset {off} ({size} byte(s)) lies outside the {_size}-byte table");
        return _pos + off;
    }

    public bool Has(FieldId f) => Field(f, 1) >= 0;

    public byte U8(FieldId f, byte def = 0) { long p = Field(f, 1); return p < 0 ? def : _v.U8(p, Where); }

    public sbyte I8(FieldId f, sbyte def = 0) => unchecked((sbyte)U8(f, unchecked((byte)def)));

    public bool Bool(FieldId f, bool def = false) { long p = Field(f, 1); return p < 0 ? def : _v.U8(p, Where) != 0; }

    public int I32(FieldId f, int def = 0) { long p = Field(f, 4); return p < 0 ? def : _v.I32(p, Where); }

    public uint U32(FieldId f, uint def = 0) { long p = Field(f, 4); return p < 0 ? def : _v.U32(p, Where); }

    public ulong U64(FieldId f) { long p = Field(f, 8); return p < 0 ? 0 : unchecked((ulong)_v.I64(p, Where)); }

    public float F32(FieldId f, float def = 0f) { long p = Field(f, 4); return p < 0 ? def : _v.F32(p, Where); }

    /// <summary>Sub-table, or null when absent.</summary>
    public FlatTable? Table(FieldId f)
    {
        long p = Field(f, 4);
        return p < 0 ? null : new FlatTable(_v, _v.Deref(p, At(f)), At(f));
    }

    /// <summary>Vector header (start, count); (0, 0) when absent.</summary>
    public (long Start, int Count) Vector(FieldId f, int elemSize)
    {
        long p = Field(f, 4);
        if (p < 0) return (0, 0);
        string at = At(f);
        return _v.Vector(_v.Deref(p, at), elemSize, at);
    }

    public string? String(FieldId f)
    {
        if (!Has(f)) return null;
        var (start, n) = Vector(f, 1);
        return _v.Utf8(start, n);
    }

    public byte[]? Bytes(FieldId f)
    {
        if (!Has(f)) return null;
        var (start, n) = Vector(f, 1);
        return _v.Span.Slice((int)start, n).ToArray();
    }

    public int[]? Ints(FieldId f)
    {
        if (!Has(f)) return null;
        var (start, n) = Vector(f, 4);
        var a = new int[n];
        for (int i = 0; i < n; i++) a[i] = _v.I32(start + 4L * i, Where);
        return a;
    }

    public float[]? Floats(FieldId f)
    {
        if (!Has(f)) return null;
        var (start, n) = Vector(f, 4);
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = _v.F32(start + 4L * i, Where);
        return a;
    }

    public long[]? Longs(FieldId f)
    {
        if (!Has(f)) return null;
        var (start, n) = Vector(f, 8);
        var a = new long[n];
        for (int i = 0; i < n; i++) a[i] = _v.I64(start + 8L * i, Where);
        return a;
    }

    /// <summary>Reads a vector of tables, mapping each element with <paramref name="map"/>.</summary>
    public List<T> Tables<T>(FieldId f, Func<FlatTable, int, T> map)
    {
        var (start, n) = Vector(f, 4);
        var list = new List<T>(n);
        for (int i = 0; i < n; i++)
        {
            string at = $"{At(f)}[{i}]";
            list.Add(map(new FlatTable(_v, _v.Deref(start + 4L * i, at), at), i));
        }
        return list;
    }
}
