using System.Buffers.Binary;
using System.IO.Compression;

namespace TinyTrain.Tests.Data;

/// <summary>Hand-built BMP, PNG and IDX files for tests (independent of the decoders).</summary>
static class Builders
{
    /// <summary>BMP with a 40-byte (or larger) info header; <paramref name="rowsInFileOrder"/> unpadded.</summary>
    public static byte[] Bmp(int width, int height, int bpp, byte[][] rowsInFileOrder, byte[]? paletteBgrx = null,
        int headerSize = 40, uint compression = 0, uint[]? masks = null)
    {
        int stride = (width * bpp + 31) / 32 * 4;
        int extra = headerSize == 40 && masks != null ? 12 : 0;
        int offset = 14 + headerSize + extra + (paletteBgrx?.Length ?? 0);
        var b = new byte[offset + stride * rowsInFileOrder.Length];
        b[0] = (byte)'B'; b[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(2), b.Length);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(10), offset);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(14), headerSize);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(18), width);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(22), height);
        BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(28), (short)bpp);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(30), compression);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(46), paletteBgrx is null ? 0 : paletteBgrx.Length / 4);
        if (masks != null)
            for (int i = 0; i < 3; i++) BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(54 + 4 * i), masks[i]);
        paletteBgrx?.CopyTo(b, 14 + headerSize + extra);
        for (int r = 0; r < rowsInFileOrder.Length; r++) rowsInFileOrder[r].CopyTo(b, offset + r * stride);
        return b;
    }

    public static byte[] GreyPalette(int n = 256)
    {
        var p = new byte[n * 4];
        for (int i = 0; i < n; i++) p[4 * i] = p[4 * i + 1] = p[4 * i + 2] = (byte)i;
        return p;
    }

    /// <summary>PNG from unfiltered rows; row y uses filter filters[y % filters.Length].</summary>
    public static byte[] Png(int width, int height, int depth, int colorType, byte[][] rows, int[] filters,
        byte[]? plte = null, int interlace = 0, int idatChunks = 1)
    {
        int samples = colorType switch { 2 => 3, 4 => 2, 6 => 4, _ => 1 };
        int bpp = Math.Max(1, samples * depth / 8);
        var raw = new MemoryStream();
        var prev = new byte[rows[0].Length];
        for (int y = 0; y < height; y++)
        {
            int f = filters[y % filters.Length];
            raw.WriteByte((byte)f);
            raw.Write(Filter(f, rows[y], prev, bpp));
            prev = rows[y];
        }
        var z = new MemoryStream();
        using (var zs = new ZLibStream(z, CompressionLevel.Optimal, leaveOpen: true)) zs.Write(raw.ToArray());
        byte[] zdata = z.ToArray();

        var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = (byte)depth; ihdr[9] = (byte)colorType; ihdr[12] = (byte)interlace;
        Chunk(png, "IHDR", ihdr);
        if (plte != null) Chunk(png, "PLTE", plte);
        Chunk(png, "tEXt", "Comment\0test"u8.ToArray());
        int part = (zdata.Length + idatChunks - 1) / idatChunks;
        for (int i = 0; i < zdata.Length; i += part) Chunk(png, "IDAT", zdata[i..Math.Min(zdata.Length, i + part)]);
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    static byte[] Filter(int f, byte[] cur, byte[] prev, int bpp)
    {
        var o = new byte[cur.Length];
        for (int i = 0; i < cur.Length; i++)
        {
            int a = i >= bpp ? cur[i - bpp] : 0, b = prev[i], c = i >= bpp ? prev[i - bpp] : 0;
            int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
            int pred = f switch
            {
                0 => 0, 1 => a, 2 => b, 3 => (a + b) / 2,
                _ => pa <= pb && pa <= pc ? a : pb <= pc ? b : c,
            };
            o[i] = (byte)(cur[i] - pred);
        }
        return o;
    }

    static void Chunk(Stream s, string type, byte[] data)
    {
        Span<byte> four = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(four, data.Length);
        s.Write(four);
        byte[] td = [.. System.Text.Encoding.ASCII.GetBytes(type), .. data];
        s.Write(td);
        BinaryPrimitives.WriteUInt32BigEndian(four, Crc32(td));
        s.Write(four);
    }

    static uint Crc32(byte[] bytes)
    {
        uint c = 0xFFFFFFFF;
        foreach (byte x in bytes)
        {
            c ^= x;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? (c >> 1) ^ 0xEDB88320 : c >> 1;
        }
        return ~c;
    }

    /// <summary>IDX file: big-endian magic and dims, then data; optionally gzip-compressed.</summary>
    public static byte[] Idx(uint magic, int[] dims, byte[] data, bool gzip)
    {
        var m = new MemoryStream();
        Span<byte> four = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(four, magic); m.Write(four);
        foreach (int d in dims) { BinaryPrimitives.WriteInt32BigEndian(four, d); m.Write(four); }
        m.Write(data);
        if (!gzip) return m.ToArray();
        var z = new MemoryStream();
        using (var gz = new GZipStream(z, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(m.ToArray());
        return z.ToArray();
    }
}

/// <summary>A temp file (outside the repo) holding the given bytes, deleted on dispose.</summary>
sealed class TempFile : IDisposable
{
    public string Path { get; }

    public TempFile(byte[] bytes, string suffix)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"tinytrain-data-{Guid.NewGuid():N}{suffix}");
        File.WriteAllBytes(Path, bytes);
    }

    public void Dispose() => File.Delete(Path);
}
