using System.Text.Json;
using TinyTrain.Formats.Pickle;

namespace TinyTrain.Tests.Formats.Pickle;

/// <summary>The three tiny-training .pkl models parse and match the derived JSON+bin oracle.</summary>
public class McuModelPickleTests
{
    public static TheoryData<string> Models => new() { "mcunet-5fps", "mbv2-w0.35", "proxyless-w0.3" };

    internal static string PklPath(string model) => TestData.Path("tiny-training", "mcu_models", model + ".pkl");

    static PickleDict Dict(object? v) => Assert.IsType<PickleDict>(v);

    [Theory]
    [MemberData(nameof(Models))]
    public void TreeMatchesJsonOracle(string model)
    {
        object? root = TorchZip.ReadDataPickle(PklPath(model));
        string jsonDir = TestData.Path("tiny-training", "mcu_models_json");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(jsonDir, model + ".json")));
        byte[] bin = File.ReadAllBytes(Path.Combine(jsonDir, doc.RootElement.GetProperty("bin").GetString()!));
        int arrays = 0;
        AssertSame(doc.RootElement.GetProperty("model"), root, bin, "model", ref arrays);
        Assert.True(arrays > 100, $"only {arrays} arrays compared");
    }

    [Fact]
    public void McunetArchitectureSpotChecks()
    {
        var root = Dict(TorchZip.ReadDataPickle(PklPath("mcunet-5fps")));
        Assert.Equal(["first_conv", "blocks", "feature_mix", "classifier"], root.Keys);
        var blocks = Assert.IsType<List<object?>>(root["blocks"]);
        Assert.Equal(14, blocks.Count);
        Assert.Null(Dict(blocks[0])["pointwise1"]);
        Assert.Null(root["feature_mix"]);

        var firstConv = Dict(root["first_conv"]);
        var w = Assert.IsType<NdArray>(Dict(firstConv["params"])["weight"]);
        Assert.Equal(NdDType.Int8, w.DType);
        Assert.Equal([16, 3, 3, 3], w.Shape);
        Assert.Equal(432, w.AsSByte().Length);
        Assert.Equal(new object?[] { 3L, 3L }, firstConv["kernel_size"]);
        Assert.Equal(2L, firstConv["stride"]);
        Assert.Equal(false, firstConv["depthwise"]);

        var p = Dict(firstConv["params"]);
        Assert.Equal(NdDType.Int32, Assert.IsType<NdArray>(p["bias"]).DType);
        Assert.Equal(16, Assert.IsType<NdArray>(p["w_scales"]).AsFloat32().Length);
        Assert.IsType<double>(p["x_scale"]);

        var cls = Assert.IsType<NdArray>(Dict(Dict(root["classifier"])["params"])["weight"]);
        Assert.Equal([1000, 160, 1, 1], cls.Shape);
        Assert.Equal(NdDType.Int8, cls.DType);
    }

    [Theory]
    [InlineData("mbv2-w0.35", 17)]
    [InlineData("proxyless-w0.3", 20)]
    public void BlockCounts(string model, int blocks)
    {
        var root = Dict(TorchZip.ReadDataPickle(PklPath(model)));
        Assert.Equal(blocks, Assert.IsType<List<object?>>(root["blocks"]).Count);
    }

    [Fact]
    public void RawPickleStreamParsesToo()
    {
        using var zip = System.IO.Compression.ZipFile.OpenRead(PklPath("mbv2-w0.35"));
        using var s = zip.GetEntry("archive/data.pkl")!.Open();
        var root = Dict(PickleReader.Read(s, "data.pkl"));
        Assert.Equal(17, Assert.IsType<List<object?>>(root["blocks"]).Count);
    }

    static void AssertSame(JsonElement j, object? p, byte[] bin, string path, ref int arrays)
    {
        switch (j.ValueKind)
        {
            case JsonValueKind.Object when j.TryGetProperty("__ndarray__", out _):
                var a = Assert.IsType<NdArray>(p);
                Assert.True(j.GetProperty("dtype").GetString() == a.DTypeName, $"{path}: dtype {a.DTypeName}");
                Assert.True(j.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32()).SequenceEqual(a.Shape), $"{path}: shape");
                int off = j.GetProperty("offset").GetInt32(), n = j.GetProperty("nbytes").GetInt32();
                Assert.True(a.Bytes.Span.SequenceEqual(bin.AsSpan(off, n)), $"{path}: bytes differ");
                arrays++;
                break;
            case JsonValueKind.Object:
                var d = Assert.IsType<PickleDict>(p);
                Assert.True(j.EnumerateObject().Select(x => x.Name).SequenceEqual(d.Keys), $"{path}: keys");
                foreach (var prop in j.EnumerateObject())
                    AssertSame(prop.Value, d[prop.Name], bin, $"{path}.{prop.Name}", ref arrays);
                break;
            case JsonValueKind.Array:
                IReadOnlyList<object?> items = p switch
                {
                    List<object?> l => l,
                    object?[] t => t,
                    _ => throw new Xunit.Sdk.XunitException($"{path}: expected list/tuple, got {p}"),
                };
                Assert.True(j.GetArrayLength() == items.Count, $"{path}: length");
                int i = 0;
                foreach (var e in j.EnumerateArray()) { AssertSame(e, items[i], bin, $"{path}[{i}]", ref arrays); i++; }
                break;
            case JsonValueKind.Number:
                string raw = j.GetRawText();
                if (raw.IndexOfAny(['.', 'e', 'E']) >= 0) Assert.True(p is double x && x == j.GetDouble(), $"{path}: {p} != {raw}");
                else Assert.True(p is long x && x == j.GetInt64(), $"{path}: {p} != {raw}");
                break;
            case JsonValueKind.String: Assert.True(p is string s && s == j.GetString(), path); break;
            case JsonValueKind.True: Assert.True(p is true, path); break;
            case JsonValueKind.False: Assert.True(p is false, path); break;
            case JsonValueKind.Null: Assert.True(p is null, path); break;
            default: throw new Xunit.Sdk.XunitException($"{path}: unexpected JSON {j.ValueKind}");
        }
    }
}
