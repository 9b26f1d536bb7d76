using System.Buffers.Binary;
using System.IO.Compression;

namespace TinyTrain.Data;

/// <summary>IDX images (magic 0x00000803, uint8 [count, rows, cols]) kept as one compact array.</summary>
public sealed class IdxImages
{
    public int Count { get; }
    public int Rows { get; }
    public int Cols { get; }
    /// <summary>All pixels, image after image, row-major. Treat as read-only.</summary>
    public byte[] Data { get; }

    public IdxImages(int count, int rows, int cols, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (count < 0 || rows <= 0 || cols <= 0 || data.LongLength != (long)count * rows * cols)
            throw new ArgumentException($"{data.LongLength} bytes do not hold {count} images of {rows}x{cols}");
        (Count, Rows, Cols, Data) = (count, rows, cols, data);
    }

    /// <summary>The pixels of image <paramref name="index"/>, without copying.</summary>
    public ReadOnlySpan<byte> GetPixels(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return Data.AsSpan(index * Rows * Cols, Rows * Cols);
    }

    /// <summary>Image <paramref name="index"/> as a 1-channel <see cref="Image8"/> (a copy).</summary>
    public Image8 GetImage(int index) => new(Cols, Rows, 1, GetPixels(index).ToArray());
}

/// <summary>IDX labels (magic 0x00000801, uint8 [count]).</summary>
public sealed class IdxLabels
{
    public byte[] Labels { get; }
    public int Count => Labels.Length;
    public byte this[int index] => Labels[index];

    public IdxLabels(byte[] labels) => Labels = labels ?? throw new ArgumentNullException(nameof(labels));
}

/// <summary>Reads IDX files (MNIST / Fashion-MNIST), raw or gzip-compressed (detected by the 1f 8b magic).</summary>
public static class IdxFile
{
    public const uint ImagesMagic = 0x00000803, LabelsMagic = 0x00000801;

    /// <summary>
    /// True if the file (raw or gzip) starts like an IDX file: 00 00, a type code (08/09/0B/0C/0D/0E), 1..4 dims.
    /// Reads only the first bytes; corrupt gzip gives false.
    /// </summary>
    public static bool IsIdx(string path)
    {
        using var f = File.OpenRead(path);
        Span<byte> head = stackalloc byte[4];
        int n = f.ReadAtLeast(head, 2, throwOnEndOfStream: false);
        if (n < 2) return false;
        if (head[0] != 0x1f || head[1] != 0x8b) return n == 4 && LooksLikeIdx(head);
        f.Position = 0;
        try
        {
            using var z = new GZipStream(f, CompressionMode.Decompress);
            return ReadFull(z, head) && LooksLikeIdx(head);
        }
        catch (InvalidDataException) { return false; }
    }

    static bool LooksLikeIdx(ReadOnlySpan<byte> m) =>
        m[0] == 0 && m[1] == 0 && m[2] is 0x08 or 0x09 or 0x0B or 0x0C or 0x0D or 0x0E && m[3] is >= 1 and <= 4;

    public static IdxImages ReadImages(string path) => ParseImages(File.ReadAllBytes(path), path);
    public static IdxLabels ReadLabels(string path) => ParseLabels(File.ReadAllBytes(path), path);

    public static IdxImages ParseImages(byte[] file, string name)
    {
        var (dims, data) = Parse(file, name, ImagesMagic);
        if (dims[1] is <= 0 or > Image8.MaxSide || dims[2] is <= 0 or > Image8.MaxSide)
            throw new DataFormatException(name, $"bad IDX image size {dims[1]}x{dims[2]}");
        return new IdxImages(dims[0], dims[1], dims[2], data);
    }

    public static IdxLabels ParseLabels(byte[] file, string name) => new(Parse(file, name, LabelsMagic).Data);

    static (int[] Dims, byte[] Data) Parse(byte[] file, string name, uint magic)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (file.Length == 0) throw new DataFormatException(name, "empty file");
        bool gz = file.Length >= 2 && file[0] == 0x1f && file[1] == 0x8b;
        // Deflate expands at most ~1032:1: bounds what a header may claim before allocating.
        long maxPayload = gz ? file.Length * 1032L + 1024 : file.Length;
        using Stream s = gz ? new GZipStream(new MemoryStream(file), CompressionMode.Decompress) : new MemoryStream(file);
        try
        {
            Span<byte> head = stackalloc byte[4];
            if (!ReadFull(s, head)) throw new DataFormatException(name, "truncated IDX header");
            uint found = BinaryPrimitives.ReadUInt32BigEndian(head);
            if (found != magic)
                throw new DataFormatException(name, $"bad IDX magic 0x{found:X8} (expected 0x{magic:X8}{(gz ? "" : "; not gzip either")})");
            var dims = new int[magic & 0xFF];
            long total = 1;
            for (int i = 0; i < dims.Length; i++)
            {
                if (!ReadFull(s, head)) throw new DataFormatException(name, "truncated IDX header");
                uint d = BinaryPrimitives.ReadUInt32BigEndian(head);
                if (d > int.MaxValue) throw new DataFormatException(name, $"bad IDX dimension {d}");
                dims[i] = (int)d;
                total *= d;
                if (total > Math.Min(maxPayload, Array.MaxLength))
                    throw new DataFormatException(name, $"IDX header claims {string.Join("x", dims[..(i + 1)])}+ items, more than the file can hold");
            }
            var data = new byte[total];
            if (!ReadFull(s, data)) throw new DataFormatException(name, $"truncated IDX data (expected {total} bytes after the header)");
            if (s.ReadByte() >= 0) throw new DataFormatException(name, $"IDX file has data beyond the {total} bytes its header declares");
            // GZipStream ignores a missing trailer, so check its size field (single-member gzip only).
            long size = 4 + 4 * dims.Length + total;
            if (gz && (file.Length < 18 || BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(file.Length - 4)) != (uint)size))
                throw new DataFormatException(name, "gzip trailer does not match the data (truncated file, or multi-member gzip)");
            return (dims, data);
        }
        catch (InvalidDataException e) { throw new DataFormatException(name, "corrupt gzip data", e); }
    }

    static bool ReadFull(Stream s, Span<byte> buf)
    {
        for (int got = 0; got < buf.Length;)
        {
            int n = s.Read(buf[got..]);
            if (n == 0) return false;
            got += n;
        }
        return true;
    }
}
