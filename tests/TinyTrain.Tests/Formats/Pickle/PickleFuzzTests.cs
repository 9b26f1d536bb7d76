using System.Diagnostics;
using System.IO.Compression;
using TinyTrain.Formats.Pickle;
using Xunit.Abstractions;

namespace TinyTrain.Tests.Formats.Pickle;

/// <summary>Seeded mutations of a real model: every case must parse or throw PickleFormatException, quickly.</summary>
public class PickleFuzzTests(ITestOutputHelper output)
{
    const int Cases = 1000;
    static readonly byte[] Interesting = [.. "()t}]qhrXJKMGbRcues.NN"u8, 0x80, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0xff, 0x00, 0x7f];

    static byte[] ZipBytes() => File.ReadAllBytes(McuModelPickleTests.PklPath("mbv2-w0.35"));

    static byte[] PickleBytes()
    {
        using var zip = new ZipArchive(new MemoryStream(ZipBytes()));
        using var s = zip.GetEntry("archive/data.pkl")!.Open();
        var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }

    [Fact(Timeout = 120_000)]
    public async Task MutatedZipArchivesParseOrReject()
    {
        byte[] src = ZipBytes();
        int n = src.Length;
        // Zip structure lives in the first local header and the central directory at the end.
        int[] hot = [.. Enumerable.Range(0, 128), .. Enumerable.Range(n - 400, 400)];
        await Task.Run(() => Run(src, hot, 20240601, d => TorchZip.ReadDataPickle(new MemoryStream(d), "mbv2.pkl")));
    }

    [Fact(Timeout = 120_000)]
    public async Task MutatedPickleStreamsParseOrReject()
    {
        byte[] src = PickleBytes();
        await Task.Run(() => Run(src, OpcodePositions(src), 7, d => PickleReader.Read(d, "data.pkl")));
    }

    void Run(byte[] src, int[] hot, int seed, Func<byte[], object?> parse)
    {
        var rng = new Random(seed);
        int parsed = 0, rejected = 0;
        long worst = 0;
        for (int i = 0; i < Cases; i++)
        {
            var (data, kind) = Mutate(src, hot, rng);
            var sw = Stopwatch.StartNew();
            try { parse(data); parsed++; }
            catch (PickleFormatException e)
            {
                rejected++;
                Assert.DoesNotContain('\n', e.Message);
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"case {i} ({kind}, seed {seed}): {e.GetType().Name}: {e}");
            }
            worst = Math.Max(worst, sw.ElapsedMilliseconds);
        }
        output.WriteLine($"{Cases} cases: {parsed} parsed, {rejected} rejected, slowest {worst} ms");
        Assert.True(rejected > Cases / 4, $"only {rejected} rejections: mutations too weak");
        Assert.True(worst < 2000, $"a case took {worst} ms");
    }

    static (byte[] Data, string Kind) Mutate(byte[] src, int[] hot, Random r)
    {
        int Pos(int len) => r.Next(2) == 0 && hot.Length > 0 ? Math.Min(hot[r.Next(hot.Length)] + r.Next(5), len - 1) : r.Next(len);
        var d = (byte[])src.Clone();
        switch (r.Next(5))
        {
            case 0:
                for (int k = r.Next(1, 9); k > 0; k--) d[Pos(d.Length)] ^= (byte)r.Next(1, 256);
                return (d, "flip");
            case 1:
                return (d[..Pos(d.Length)], "truncate");
            case 2:
                {
                    int p = Pos(d.Length);
                    var ins = new byte[r.Next(1, 17)];
                    for (int k = 0; k < ins.Length; k++) ins[k] = r.Next(2) == 0 ? Interesting[r.Next(Interesting.Length)] : (byte)r.Next(256);
                    return ([.. d[..p], .. ins, .. d[p..]], "insert");
                }
            case 3:
                {
                    int p = Pos(d.Length);
                    return ([.. d[..p], .. d[Math.Min(d.Length, p + r.Next(1, 65))..]], "delete");
                }
            default:
                for (int k = r.Next(1, 4); k > 0; k--) d[Pos(d.Length)] = Interesting[r.Next(Interesting.Length)];
                return (d, "opcode");
        }
    }

    /// <summary>Start offsets of the opcodes in a valid stream (only the opcodes these files use).</summary>
    static int[] OpcodePositions(byte[] b)
    {
        var list = new List<int>();
        int p = 0;
        while (p < b.Length)
        {
            list.Add(p);
            byte op = b[p++];
            p += op switch
            {
                0x80 or (byte)'q' or (byte)'h' or (byte)'K' => 1,
                (byte)'M' => 2,
                (byte)'J' or (byte)'r' => 4,
                (byte)'G' => 8,
                (byte)'X' => 4 + BitConverter.ToInt32(b, p),
                (byte)'c' => Array.IndexOf(b, (byte)'\n', Array.IndexOf(b, (byte)'\n', p) + 1) + 1 - p,
                _ => 0,
            };
        }
        return [.. list];
    }
}
