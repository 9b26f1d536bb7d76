using System.IO.Compression;
using TinyTrain.Formats.Pickle;

namespace TinyTrain.Tests.Formats.Pickle;

public class TorchZipTests
{
    static readonly byte[] NonePickle = [0x80, 2, (byte)'N', (byte)'.'];

    static MemoryStream Zip(params (string Name, byte[] Data)[] entries)
    {
        var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, data) in entries)
            {
                using var s = zip.CreateEntry(name).Open();
                s.Write(data);
            }
        ms.Position = 0;
        return ms;
    }

    static string Reject(Stream s, PickleLimits? limits = null)
    {
        var e = Assert.Throws<PickleFormatException>(() => TorchZip.ReadDataPickle(s, "m.pkl", limits));
        Assert.DoesNotContain('\n', e.Message);
        Assert.StartsWith("m.pkl", e.Message);
        return e.Message;
    }

    [Fact]
    public void ReadsMinimalArchive() =>
        Assert.Null(TorchZip.ReadDataPickle(Zip(("m/data.pkl", NonePickle), ("m/version", "3\n"u8.ToArray()))));

    [Fact]
    public void ReadsNonSeekableStream()
    {
        var bytes = File.ReadAllBytes(McuModelPickleTests.PklPath("mbv2-w0.35"));
        var root = TorchZip.ReadDataPickle(new NonSeekable(bytes), "mbv2");
        Assert.IsType<PickleDict>(root);
    }

    [Fact]
    public void ZeroLengthFileNamesTheFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"tt-empty-{Guid.NewGuid():N}.pkl");
        File.WriteAllBytes(path, []);
        try
        {
            var e = Assert.Throws<PickleFormatException>(() => TorchZip.ReadDataPickle(path));
            Assert.Contains(path, e.Message);
            Assert.Contains("empty", e.Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void RejectsBadArchives()
    {
        Assert.Contains("tensor storages", Reject(Zip(("archive/data.pkl", NonePickle), ("archive/data/0", new byte[16]))));
        Assert.Contains("no '<name>/data.pkl'", Reject(Zip(("archive/other.pkl", NonePickle))));
        Assert.Contains("more than one", Reject(Zip(("a/data.pkl", NonePickle), ("b/data.pkl", NonePickle))));
        Assert.Contains("not a valid zip", Reject(new MemoryStream(new byte[1000])));
        Assert.Contains("limit 3", Reject(Zip(("a/data.pkl", NonePickle)), new PickleLimits { MaxPickleBytes = 3 }));
        Assert.Contains("m.pkl!a/data.pkl: truncated", Reject(Zip(("a/data.pkl", NonePickle[..3]))));
    }

    [Fact]
    public void RejectsCorruptedEntryData()
    {
        var bytes = File.ReadAllBytes(McuModelPickleTests.PklPath("mbv2-w0.35"));
        bytes[bytes.Length / 2] ^= 1;   // inside a stored (uncompressed) array string: still a valid pickle
        Assert.Contains("CRC-32 mismatch in 'archive/data.pkl'", Reject(new MemoryStream(bytes)));
    }

    sealed class NonSeekable(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
