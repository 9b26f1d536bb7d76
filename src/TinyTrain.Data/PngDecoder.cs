using System.Buffers.Binary;
using System.IO.Compression;

namespace TinyTrain.Data;

/// <summary>
/// Non-interlaced PNG: grey (1/2/4/8/16-bit), RGB, palette (1/2/4/8-bit), grey+alpha, RGBA; alpha is dropped,
/// 16-bit samples keep their high byte, low-depth grey is scaled to 0..255. A palette that is all grey decodes
/// to 1 channel (as in <see cref="BmpDecoder"/>). CRCs are checked unless <c>verifyCrc</c> is false.
/// </summary>
public static class PngDecoder
{
    static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    static readonly uint[] CrcTable = MakeCrcTable();

    public static bool IsPng(ReadOnlySpan<byte> data) => data.StartsWith(Signature);

    public static Image8 Decode(ReadOnlySpan<byte> data, string name, bool verifyCrc = true)
    {
        if (!IsPng(data)) throw new DataFormatException(name, "not a PNG file (bad signature)");
        int width = 0, height = 0, depth = 0, colorType = -1;
        byte[]? palette = null;
        var idat = new MemoryStream();
        int pos = 8;
        while (true)
        {
            if (pos + 8 > data.Length) throw new DataFormatException(name, $"truncated PNG: no IEND chunk (file ends at offset {data.Length})");
            uint len = BinaryPrimitives.ReadUInt32BigEndian(data[pos..]);
            string type = ChunkName(data.Slice(pos + 4, 4));
            if (len > int.MaxValue || pos + 12L + len > data.Length)
                throw new DataFormatException(name, $"truncated PNG chunk '{type}' ({len} bytes at offset {pos})");
            var body = data.Slice(pos + 8, (int)len);
            if (verifyCrc && Crc(data.Slice(pos + 4, 4 + (int)len)) != BinaryPrimitives.ReadUInt32BigEndian(data[(pos + 8 + (int)len)..]))
                throw new DataFormatException(name, $"CRC mismatch in PNG chunk '{type}' at offset {pos}");
            if (colorType < 0 && type != "IHDR") throw new DataFormatException(name, $"first PNG chunk is '{type}', not IHDR");
            bool critical = (data[pos + 4] & 0x20) == 0;
            pos += 12 + (int)len;
            switch (type)
            {
                case "IHDR":
                    if (colorType >= 0) throw new DataFormatException(name, "duplicate IHDR chunk");
                    if (len != 13) throw new DataFormatException(name, $"bad IHDR length {len}");
                    (width, height, depth, colorType) = ReadHeader(body, name);
                    break;
                case "PLTE":
                    if (len == 0 || len % 3 != 0 || len > 768) throw new DataFormatException(name, $"bad PLTE length {len}");
                    palette = body.ToArray();
                    break;
                case "IDAT":
                    idat.Write(body);
                    break;
                case "IEND":
                    return Pixels(idat, width, height, depth, colorType, palette, name);
                default:
                    if (critical) throw new DataFormatException(name, $"unknown critical PNG chunk '{type}'");
                    break; // ancillary chunks (tRNS, gAMA, text...) are ignored
            }
        }
    }

    static (int W, int H, int Depth, int ColorType) ReadHeader(ReadOnlySpan<byte> b, string name)
    {
        uint w = BinaryPrimitives.ReadUInt32BigEndian(b), h = BinaryPrimitives.ReadUInt32BigEndian(b[4..]);
        int depth = b[8], ct = b[9];
        if (w == 0 || w > Image8.MaxSide || h == 0 || h > Image8.MaxSide)
            throw new DataFormatException(name, $"unsupported PNG size {w}x{h} (limit {Image8.MaxSide})");
        bool ok = ct switch
        {
            0 => depth is 1 or 2 or 4 or 8 or 16,
            3 => depth is 1 or 2 or 4 or 8,
            2 or 4 or 6 => depth is 8 or 16,
            _ => false,
        };
        if (!ok) throw new DataFormatException(name, $"bad PNG colour type {ct} with bit depth {depth}");
        if (b[10] != 0 || b[11] != 0) throw new DataFormatException(name, $"unknown PNG compression/filter method {b[10]}/{b[11]}");
        if (b[12] == 1) throw new DataFormatException(name, "interlaced (Adam7) PNG is not supported");
        if (b[12] != 0) throw new DataFormatException(name, $"bad PNG interlace method {b[12]}");
        return ((int)w, (int)h, depth, ct);
    }

    static Image8 Pixels(MemoryStream idat, int width, int height, int depth, int ct, byte[]? palette, string name)
    {
        if (idat.Length == 0) throw new DataFormatException(name, "PNG has no IDAT data");
        int samples = ct switch { 2 => 3, 4 => 2, 6 => 4, _ => 1 };
        long rowBytes = ((long)width * samples * depth + 7) / 8;
        int bpp = Math.Max(1, samples * depth / 8);
        // Deflate expands at most ~1032:1, so a header claiming more than that is corrupt.
        if (height * (rowBytes + 1) > idat.Length * 1032 + 1024)
            throw new DataFormatException(name, $"PNG claims {width}x{height} but has only {idat.Length} bytes of image data");
        int paletteCount = palette is null ? 0 : palette.Length / 3;
        if (ct == 3 && palette is null) throw new DataFormatException(name, "palette PNG without PLTE chunk");
        bool greyPalette = ct == 3;
        for (int i = 0; greyPalette && i < paletteCount; i++)
            greyPalette = palette![i * 3] == palette[i * 3 + 1] && palette[i * 3] == palette[i * 3 + 2];
        int channels = ct is 2 or 6 || (ct == 3 && !greyPalette) ? 3 : 1;

        var pixels = new byte[(long)width * height * channels];
        var prev = new byte[rowBytes];
        var cur = new byte[rowBytes];
        var filter = new byte[1];
        using var z = new ZLibStream(new MemoryStream(idat.GetBuffer(), 0, (int)idat.Length), CompressionMode.Decompress);
        for (int y = 0; y < height; y++)
        {
            if (!ReadFull(z, filter, name) || !ReadFull(z, cur, name))
                throw new DataFormatException(name, $"PNG image data ends early (row {y} of {height})");
            Unfilter(filter[0], cur, prev, bpp, y, name);
            var dst = pixels.AsSpan(y * width * channels, width * channels);
            for (int x = 0; x < width; x++)
            {
                if (ct == 3)
                {
                    int idx = depth == 8 ? cur[x] : SubByte(cur, x, depth);
                    if (idx >= paletteCount) throw new DataFormatException(name, $"PNG palette index {idx} out of range (palette has {paletteCount} entries)");
                    if (channels == 1) dst[x] = palette![idx * 3];
                    else palette.AsSpan(idx * 3, 3).CopyTo(dst[(x * 3)..]);
                }
                else if (depth < 8) dst[x] = (byte)(SubByte(cur, x, depth) * 255 / ((1 << depth) - 1));
                else
                {
                    int step = depth / 8; // 16-bit: the high byte comes first
                    for (int c = 0; c < channels; c++) dst[x * channels + c] = cur[(x * samples + c) * step];
                }
            }
            (prev, cur) = (cur, prev);
        }
        return new Image8(width, height, channels, pixels);
    }

    static int SubByte(byte[] row, int x, int depth)
    {
        int bit = x * depth;
        return (row[bit >> 3] >> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
    }

    static void Unfilter(int type, byte[] cur, byte[] prev, int bpp, int y, string name)
    {
        int n = cur.Length;
        switch (type)
        {
            case 0: break;
            case 1: for (int i = bpp; i < n; i++) cur[i] += cur[i - bpp]; break;
            case 2: for (int i = 0; i < n; i++) cur[i] += prev[i]; break;
            case 3:
                for (int i = 0; i < n; i++) cur[i] += (byte)(((i >= bpp ? cur[i - bpp] : 0) + prev[i]) >> 1);
                break;
            case 4:
                for (int i = 0; i < n; i++)
                {
                    int a = i >= bpp ? cur[i - bpp] : 0, b = prev[i], c = i >= bpp ? prev[i - bpp] : 0;
                    int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
                    cur[i] += (byte)(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
                }
                break;
            default: throw new DataFormatException(name, $"bad PNG filter type {type} in row {y}");
        }
    }

    static bool ReadFull(Stream s, Span<byte> buf, string name)
    {
        try
        {
            for (int got = 0; got < buf.Length;)
            {
                int n = s.Read(buf[got..]);
                if (n == 0) return false;
                got += n;
            }
            return true;
        }
        catch (InvalidDataException e) { throw new DataFormatException(name, "corrupt zlib data in PNG IDAT", e); }
    }

    static string ChunkName(ReadOnlySpan<byte> t)
    {
        Span<char> c = stackalloc char[4];
        for (int i = 0; i < 4; i++) c[i] = t[i] is >= (byte)'A' and <= (byte)'z' ? (char)t[i] : '?';
        return new string(c);
    }

    static uint Crc(ReadOnlySpan<byte> bytes)
    {
        uint c = 0xFFFFFFFF;
        foreach (byte b in bytes) c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFF;
    }

    static uint[] MakeCrcTable()
    {
        var t = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            t[n] = c;
        }
        return t;
    }
}
