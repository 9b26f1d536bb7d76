using System.Buffers.Binary;
using System.Numerics;

namespace TinyTrain.Data;

/// <summary>
/// Uncompressed Windows BMP: BITMAPINFOHEADER and V2..V5 headers; 8-bit palettised, 24-bit BGR,
/// 32-bit BGRA (alpha dropped; BI_BITFIELDS masks honoured). Output rows are in display order (top first).
/// An 8-bit image whose palette is all grey (R=G=B) decodes to 1 channel, otherwise to RGB.
/// </summary>
public static class BmpDecoder
{
    const uint BiRgb = 0, BiBitfields = 3;

    public static bool IsBmp(ReadOnlySpan<byte> data) => data.Length >= 2 && data[0] == 'B' && data[1] == 'M';

    public static Image8 Decode(ReadOnlySpan<byte> data, string name)
    {
        if (!IsBmp(data)) throw Err(name, "not a BMP file (no 'BM' signature)");
        if (data.Length < 30) throw Err(name, $"truncated BMP header ({data.Length} bytes)");
        uint pixelOffset = U32(data, 10);
        uint hdrSize = U32(data, 14);
        if (hdrSize == 12) throw Err(name, "OS/2 BMP (BITMAPCOREHEADER) is not supported");
        if (hdrSize is not (40 or 52 or 56 or 108 or 124)) throw Err(name, $"unsupported BMP header size {hdrSize}");
        if (data.Length < 14 + hdrSize) throw Err(name, $"truncated BMP header ({data.Length} bytes, header needs {14 + hdrSize})");

        int width = BinaryPrimitives.ReadInt32LittleEndian(data[18..]);
        int rawHeight = BinaryPrimitives.ReadInt32LittleEndian(data[22..]);
        int planes = BinaryPrimitives.ReadUInt16LittleEndian(data[26..]);
        int bpp = BinaryPrimitives.ReadUInt16LittleEndian(data[28..]);
        uint compression = U32(data, 30);
        uint colorsUsed = U32(data, 46);

        if (width <= 0 || width > Image8.MaxSide) throw Err(name, $"bad BMP width {width}");
        if (rawHeight == 0 || rawHeight == int.MinValue || Math.Abs(rawHeight) > Image8.MaxSide)
            throw Err(name, $"bad BMP height {rawHeight}");
        bool topDown = rawHeight < 0;
        int height = Math.Abs(rawHeight);
        if (planes != 1) throw Err(name, $"bad BMP plane count {planes}");
        if (bpp is not (8 or 24 or 32)) throw Err(name, $"unsupported BMP bit depth {bpp} (only 8, 24, 32)");
        if (compression != BiRgb && !(compression == BiBitfields && bpp == 32))
            throw Err(name, $"compressed BMP (compression {compression}, {bpp}-bit) is not supported");

        // BI_BITFIELDS masks: inside V2+ headers, or right after a 40-byte header.
        uint[]? masks = null;
        long headerEnd = 14 + hdrSize;
        if (compression == BiBitfields)
        {
            if (hdrSize == 40) headerEnd += 12;
            if (data.Length < 66) throw Err(name, "truncated BMP bitfield masks");
            masks = [U32(data, 54), U32(data, 58), U32(data, 62)];
        }

        byte[]? palette = null; // RGB triples
        int paletteCount = 0;
        bool grey = false;
        if (bpp == 8)
        {
            if (colorsUsed > 256) throw Err(name, $"bad BMP palette size {colorsUsed}");
            paletteCount = colorsUsed == 0 ? 256 : (int)colorsUsed;
            if (headerEnd + paletteCount * 4L > data.Length) throw Err(name, "truncated BMP palette");
            palette = new byte[paletteCount * 3];
            grey = true;
            for (int i = 0; i < paletteCount; i++)
            {
                int p = (int)headerEnd + i * 4;
                byte b = data[p], g = data[p + 1], r = data[p + 2];
                palette[i * 3] = r; palette[i * 3 + 1] = g; palette[i * 3 + 2] = b;
                grey &= r == g && g == b;
            }
            headerEnd += paletteCount * 4L;
        }

        if (pixelOffset < 14 + hdrSize) throw Err(name, $"BMP pixel data offset {pixelOffset} lies inside the header");
        long stride = ((long)width * bpp + 31) / 32 * 4;
        long rowBytes = ((long)width * bpp + 7) / 8;
        long need = pixelOffset + stride * (height - 1) + rowBytes;
        if (need > data.Length) throw Err(name, $"truncated BMP pixel data (needs {need} bytes, file has {data.Length})");

        int channels = bpp == 8 && grey ? 1 : 3;
        var pixels = new byte[(long)width * height * channels];
        for (int y = 0; y < height; y++)
        {
            int fileRow = topDown ? y : height - 1 - y;
            var src = data.Slice((int)(pixelOffset + fileRow * stride), (int)rowBytes);
            var dst = pixels.AsSpan(y * width * channels, width * channels);
            switch (bpp)
            {
                case 8:
                    for (int x = 0; x < width; x++)
                    {
                        int idx = src[x];
                        if (idx >= paletteCount) throw Err(name, $"BMP palette index {idx} out of range (palette has {paletteCount} entries)");
                        if (channels == 1) dst[x] = palette![idx * 3];
                        else palette.AsSpan(idx * 3, 3).CopyTo(dst[(x * 3)..]);
                    }
                    break;
                case 24:
                    for (int x = 0; x < width; x++)
                    {
                        dst[x * 3] = src[x * 3 + 2]; dst[x * 3 + 1] = src[x * 3 + 1]; dst[x * 3 + 2] = src[x * 3];
                    }
                    break;
                default: // 32
                    for (int x = 0; x < width; x++)
                    {
                        if (masks is null)
                        {
                            dst[x * 3] = src[x * 4 + 2]; dst[x * 3 + 1] = src[x * 4 + 1]; dst[x * 3 + 2] = src[x * 4];
                        }
                        else
                        {
                            uint px = BinaryPrimitives.ReadUInt32LittleEndian(src[(x * 4)..]);
                            for (int c = 0; c < 3; c++) dst[x * 3 + c] = Extract(px, masks[c]);
                        }
                    }
                    break;
            }
        }
        return new Image8(width, height, channels, pixels);
    }

    /// <summary>Field selected by <paramref name="mask"/>, scaled to 8 bits.</summary>
    static byte Extract(uint px, uint mask)
    {
        if (mask == 0) return 0;
        int shift = BitOperations.TrailingZeroCount(mask);
        int bits = 32 - BitOperations.LeadingZeroCount(mask >> shift);
        uint v = (px & mask) >> shift;
        return bits >= 8 ? (byte)(v >> (bits - 8)) : (byte)(v * 255 / ((1u << bits) - 1));
    }

    static uint U32(ReadOnlySpan<byte> d, int at) => BinaryPrimitives.ReadUInt32LittleEndian(d[at..]);

    static DataFormatException Err(string name, string reason) => new(name, reason);
}
