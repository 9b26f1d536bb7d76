using System.Diagnostics;
using TinyTrain.Data;

namespace TinyTrain.Tests.Data;

public class CorruptInputTests
{
    static string PersonBmp => TestData.Path("tflite-micro", "person_detection", "person.bmp");
    static string Sample3Png => TestData.Path("tflite-micro", "mnist_lstm", "samples", "sample3.png");

    static DataFormatException LoadFails(byte[] bytes, string suffix)
    {
        using var f = new TempFile(bytes, suffix);
        var ex = Assert.Throws<DataFormatException>(() => ImageFile.Load(f.Path));
        Assert.StartsWith(f.Path + ": ", ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
        return ex;
    }

    [Fact]
    public void ZeroLength_And_WrongMagic()
    {
        Assert.Contains("empty", LoadFails([], ".bmp").Message);
        Assert.Contains("unknown image format", LoadFails("GIF89a......"u8.ToArray(), ".gif").Message);
        Assert.Contains("unknown image format", LoadFails([0x42], ".bmp").Message);
        using var f = new TempFile([], ".gz");
        Assert.StartsWith(f.Path + ": ", Assert.Throws<DataFormatException>(() => IdxFile.ReadImages(f.Path)).Message);
    }

    [Fact]
    public void TruncatedBmp_EveryCutPoint_Throws()
    {
        byte[] bytes = File.ReadAllBytes(PersonBmp);
        foreach (int cut in Enumerable.Range(1, 1200).Concat([bytes.Length / 2, bytes.Length - 1]))
            Assert.Throws<DataFormatException>(() => BmpDecoder.Decode(bytes.AsSpan(0, cut), "cut.bmp"));
        Assert.Contains("truncated", LoadFails(bytes[..5000], ".bmp").Message);
    }

    [Fact]
    public void TruncatedPng_EveryCutPoint_Throws()
    {
        byte[] bytes = File.ReadAllBytes(Sample3Png);
        for (int cut = 1; cut < bytes.Length; cut++)
        {
            Assert.Throws<DataFormatException>(() => PngDecoder.Decode(bytes.AsSpan(0, cut), "cut.png"));
            Assert.Throws<DataFormatException>(() => PngDecoder.Decode(bytes.AsSpan(0, cut), "cut.png", verifyCrc: false));
        }
        Assert.Contains("truncated", LoadFails(bytes[..200], ".png").Message);
    }

    [Fact]
    public void HugeDeclaredSize_IsRejectedBeforeAllocating()
    {
        // A BMP header claiming 16384 x 16384 with 100 bytes of pixels.
        var bmp = Builders.Bmp(1, 1, 24, [new byte[3]]);
        BitConverter.GetBytes(16384).CopyTo(bmp, 18);
        BitConverter.GetBytes(16384).CopyTo(bmp, 22);
        Assert.Contains("truncated", LoadFails(bmp, ".bmp").Message);
        BitConverter.GetBytes(100000).CopyTo(bmp, 18);
        Assert.Contains("width", LoadFails(bmp, ".bmp").Message);
    }

    /// <summary>Random byte flips, field overwrites, truncation and insertion, biased towards the header.</summary>
    static byte[] Mutate(byte[] src, Random rnd)
    {
        var b = src.ToArray();
        int hot = Math.Min(b.Length, 1100);
        switch (rnd.Next(5))
        {
            case 0:
                for (int i = rnd.Next(1, 9); i > 0; i--) b[rnd.Next(hot)] = (byte)rnd.Next(256);
                return b;
            case 1:
                for (int i = rnd.Next(1, 30); i > 0; i--) b[rnd.Next(b.Length)] ^= (byte)(1 << rnd.Next(8));
                return b;
            case 2:
                int at = rnd.Next(Math.Min(hot, b.Length - 4));
                uint[] special = [0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFF00, 16384, 16385, (uint)rnd.Next()];
                BitConverter.GetBytes(special[rnd.Next(special.Length)]).CopyTo(b, at);
                if (rnd.Next(2) == 0) Array.Reverse(b, at, 4); // big-endian too
                return b;
            case 3:
                return b[..rnd.Next(b.Length)];
            default:
                int pos = rnd.Next(hot);
                return [.. b[..pos], .. Enumerable.Range(0, rnd.Next(1, 16)).Select(_ => (byte)rnd.Next(256)), .. b[pos..]];
        }
    }

    static (int Ok, int Rejected) Fuzz(byte[] src, int iterations, int seed, Func<byte[], object> decode)
    {
        var rnd = new Random(seed);
        int ok = 0, rejected = 0;
        for (int i = 0; i < iterations; i++)
        {
            byte[] m = Mutate(src, rnd);
            try { decode(m); ok++; }
            catch (DataFormatException e) { Assert.DoesNotContain('\n', e.Message); rejected++; }
            catch (Exception e) { Assert.Fail($"mutation {i} (seed {seed}): {e.GetType().Name}: {e.Message}"); }
        }
        return (ok, rejected);
    }

    [Fact]
    public void Fuzz_PersonBmp()
    {
        var sw = Stopwatch.StartNew();
        var (ok, rejected) = Fuzz(File.ReadAllBytes(PersonBmp), 400, 1234, m => ImageFile.Decode(m, "fuzz.bmp"));
        Assert.True(ok > 0 && rejected > 0, $"ok {ok}, rejected {rejected}");
        Assert.True(sw.Elapsed.TotalSeconds < 30, $"took {sw.Elapsed}");
    }

    [Fact]
    public void Fuzz_Sample3Png()
    {
        var sw = Stopwatch.StartNew();
        byte[] src = File.ReadAllBytes(Sample3Png);
        var withCrc = Fuzz(src, 300, 99, m => ImageFile.Decode(m, "fuzz.png"));
        var noCrc = Fuzz(src, 600, 7, m => PngDecoder.Decode(m, "fuzz.png", verifyCrc: false));
        Assert.True(withCrc.Rejected > 0 && noCrc.Ok > 0 && noCrc.Rejected > 0, $"{withCrc} {noCrc}");
        Assert.True(sw.Elapsed.TotalSeconds < 30, $"took {sw.Elapsed}");
    }

    [Fact]
    public void Fuzz_IdxGzip()
    {
        byte[] src = Builders.Idx(0x803, [20, 28, 28], [.. Enumerable.Range(0, 20 * 784).Select(i => (byte)(i * 7))], gzip: true);
        var (ok, rejected) = Fuzz(src, 300, 5, m => IdxFile.ParseImages(m, "fuzz.idx"));
        Assert.True(rejected > 0, $"ok {ok}, rejected {rejected}");
    }
}
