using System.Buffers.Binary;
using System.IO.Compression;

namespace TinyTrain.Formats.Pickle;

/// <summary>Reads the pickle of a tensor-free <c>torch.save</c> zip archive (<c>&lt;name&gt;/data.pkl</c>).</summary>
public static class TorchZip
{
    /// <summary>Bound for a non-seekable input stream that must be buffered.</summary>
    public const long MaxArchiveBytes = 256L << 20;

    public static object? ReadDataPickle(string path, PickleLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var fs = File.OpenRead(path);
        return ReadDataPickle(fs, path, limits);
    }

    public static object? ReadDataPickle(Stream stream, string? sourceName = null, PickleLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var lim = limits ?? PickleLimits.Default;
        string src = sourceName ?? "<torch zip>";
        var (entryName, data) = ReadEntry(stream, src, lim.MaxPickleBytes);
        return PickleReader.Read(data, $"{src}!{entryName}", lim);
    }

    static (string Name, byte[] Data) ReadEntry(Stream stream, string src, long maxEntry)
    {
        try
        {
            if (!stream.CanSeek) stream = new MemoryStream(StreamUtil.ReadBounded(stream, MaxArchiveBytes, src));
            if (stream.Length == 0) throw new PickleFormatException($"{src}: empty file, not a torch zip archive");
            using var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            ZipArchiveEntry? pkl = null;
            foreach (var e in zip.Entries)
            {
                string[] parts = e.FullName.Split('/');
                if (parts.Length == 3 && parts[1] == "data")
                    throw new PickleFormatException(
                        $"{src}: archive holds torch tensor storages ('{PickleText.Clean(e.FullName)}'); only tensor-free pickles are supported");
                if (parts.Length == 2 && parts[1] == "data.pkl")
                {
                    if (pkl != null) throw new PickleFormatException($"{src}: archive holds more than one */data.pkl");
                    pkl = e;
                }
            }
            if (pkl is null) throw new PickleFormatException($"{src}: archive has no '<name>/data.pkl' entry");
            string entry = PickleText.Clean(pkl.FullName);
            if (pkl.Length > maxEntry)
                throw new PickleFormatException($"{src}: entry '{entry}' is {pkl.Length} bytes, limit {maxEntry}");
            using var s = pkl.Open();
            byte[] data = StreamUtil.ReadBounded(s, maxEntry, $"{src}!{entry}", pkl.Length);
            if (Crc32(data) != pkl.Crc32)
                throw new PickleFormatException($"{src}: CRC-32 mismatch in '{entry}' (corrupted archive)");
            return (entry, data);
        }
        catch (Exception e) when (e is not PickleFormatException &&
            e is InvalidDataException or IOException or NotSupportedException or ArgumentException or OverflowException)
        {
            throw new PickleFormatException($"{src}: not a valid zip archive: {OneLine(e.Message)}", null, e);
        }
    }

    static string OneLine(string s) => s.ReplaceLineEndings(" ");

    static readonly uint[] CrcTable = MakeCrcTable();

    static uint[] MakeCrcTable()
    {
        var t = new uint[8 * 256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[n] = c;
        }
        for (int i = 256; i < t.Length; i++) t[i] = (t[i - 256] >> 8) ^ t[t[i - 256] & 0xff];
        return t;
    }

    /// <summary>Zip CRC-32, slicing-by-8 (System.IO.Compression does not verify it when reading).</summary>
    static uint Crc32(ReadOnlySpan<byte> d)
    {
        uint[] t = CrcTable;
        uint c = 0xFFFFFFFFu;
        for (; d.Length >= 8; d = d[8..])
        {
            uint lo = BinaryPrimitives.ReadUInt32LittleEndian(d) ^ c, hi = BinaryPrimitives.ReadUInt32LittleEndian(d[4..]);
            c = t[1792 + (lo & 0xff)] ^ t[1536 + ((lo >> 8) & 0xff)] ^ t[1280 + ((lo >> 16) & 0xff)] ^ t[1024 + (lo >> 24)]
              ^ t[768 + (hi & 0xff)] ^ t[512 + ((hi >> 8) & 0xff)] ^ t[256 + ((hi >> 16) & 0xff)] ^ t[hi >> 24];
        }
        foreach (byte x in d) c = t[(c ^ x) & 0xff] ^ (c >> 8);
        return ~c;
    }
}
