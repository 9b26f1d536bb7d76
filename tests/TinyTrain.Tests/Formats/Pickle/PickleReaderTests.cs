using TinyTrain.Formats.Pickle;

namespace TinyTrain.Tests.Formats.Pickle;

/// <summary>Hand-built pickles: accepted values, and rejections that name the problem.</summary>
public class PickleReaderTests
{
    static PickleBuilder P() => new();

    internal static string Reject(byte[] data, string source = "t.pkl")
    {
        var e = Assert.Throws<PickleFormatException>(() => PickleReader.Read(data, source));
        Assert.DoesNotContain('\n', e.Message);
        Assert.StartsWith(source + ":", e.Message);
        return e.Message;
    }

    [Fact]
    public void ReadsScalarsAndContainers()
    {
        byte[] data = P().Op('}').Op('(')
            .Str("i").Raw(0x8a, 2, 0x00, 0x80)                 // LONG1 -32768
            .Str("f").Raw((byte)'G', 0x3f, 0xf8, 0, 0, 0, 0, 0, 0) // 1.5
            .Str("s").Raw(0x8c, 2, (byte)'h', (byte)'i')      // SHORT_BINUNICODE
            .Str("t").Op(')')
            .Str("l").Op(']').Bool(true).Op('a').Op('(').None().Int(-7).Op('e')
            .Op('u').Str("k").Raw(0x4b, 200).Op('s').Stop();
        var d = Assert.IsType<PickleDict>(PickleReader.Read(data));
        Assert.Equal(["i", "f", "s", "t", "l", "k"], d.Keys);
        Assert.Equal(-32768L, d["i"]);
        Assert.Equal(1.5, d["f"]);
        Assert.Equal("hi", d["s"]);
        Assert.Empty(Assert.IsType<object?[]>(d["t"]));
        Assert.Equal(new object?[] { true, null, -7L }, Assert.IsType<List<object?>>(d["l"]));
        Assert.Equal(200L, d["k"]);
    }

    [Fact]
    public void DictKeepsInsertionOrderAndOverwritesInPlace()
    {
        var b = P().Op('}').Op('(');
        for (int i = 0; i < 20; i++) b.Str($"k{i}").Int(i);
        byte[] data = b.Op('u').Str("k3").Int(-1).Op('s').Stop();
        var d = Assert.IsType<PickleDict>(PickleReader.Read(data));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"k{i}"), d.Keys);
        Assert.Equal(-1L, d["k3"]);
        Assert.Equal(19L, d["k19"]);
        Assert.False(d.ContainsKey("k20"));
    }

    [Fact]
    public void EnforcesLimits()
    {
        var b = P().Op(']');
        for (int i = 0; i < 10; i++) { b.Op('('); for (int j = 0; j < 10; j++) b.Op('}'); b.Op('e'); }
        byte[] data = b.Stop();
        Assert.Equal(100, Assert.IsType<List<object?>>(PickleReader.Read(data)).Count);
        var e = Assert.Throws<PickleFormatException>(() => PickleReader.Read(data, "x", new PickleLimits { MaxObjects = 50 }));
        Assert.Contains("more than 50 values", e.Message);
        e = Assert.Throws<PickleFormatException>(() => PickleReader.Read(data, "x", new PickleLimits { MaxStack = 5 }));
        Assert.Contains("stack exceeds 5", e.Message);
        e = Assert.Throws<PickleFormatException>(() => PickleReader.Read(data, "x", new PickleLimits { MaxPickleBytes = 10 }));
        Assert.Contains("exceeds 10", e.Message);
    }

    [Fact]
    public void ReadsHandBuiltArray()
    {
        byte[] raw = [1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 5, 0, 0, 0, 0, 0, 0, 0x80];
        var a = Assert.IsType<NdArray>(PickleReader.Read(P().Array("i4", "<", [2, 2], raw).Stop()));
        Assert.Equal(NdDType.Int32, a.DType);
        Assert.Equal([2, 2], a.Shape);
        Assert.Equal([1, -1, 5, int.MinValue], a.AsInt32());
        Assert.Throws<InvalidOperationException>(() => a.AsFloat32());
    }

    [Fact]
    public void RejectsDisallowedGlobal()
    {
        string m = Reject(P().Global("os", "system").Tuple(b => b.Str("ls")).Op('R').Stop());
        Assert.Contains("'os system' is not allowed", m);
        Assert.Contains("GLOBAL", m);
        Assert.Contains("byte offset 2", m);
    }

    [Fact]
    public void RejectsUnknownOpcode()
    {
        string m = Reject(P().Raw(0xff).Stop());
        Assert.Contains("unknown pickle opcode 0xff", m);
        Assert.Contains("byte offset 2", m);
    }

    [Theory]
    [InlineData((byte)'i', "INST")]
    [InlineData((byte)'o', "OBJ")]
    [InlineData((byte)0x81, "NEWOBJ")]
    [InlineData((byte)'P', "PERSID")]
    [InlineData((byte)'Q', "BINPERSID")]
    [InlineData((byte)0x93, "STACK_GLOBAL")]
    [InlineData((byte)0x95, "FRAME")]
    [InlineData((byte)'T', "BINSTRING")]
    public void RejectsUnsupportedOpcodes(byte op, string name) =>
        Assert.Contains($"opcode {name} is not supported", Reject(P().None().Raw(op).Stop()));

    [Fact]
    public void RejectsReduceOfDisallowedCallable()
    {
        Assert.Contains("REDUCE of global 'numpy ndarray' is not allowed",
            Reject(P().Global("numpy", "ndarray").Op(')').Op('R').Stop()));
        Assert.Contains("REDUCE of dict is not allowed", Reject(P().Op('}').Op(')').Op('R').Stop()));
        Assert.Contains("BUILD on list is not allowed", Reject(P().Op(']').Op('}').Op('b').Stop()));
    }

    [Fact]
    public void RejectsTruncatedStreams()
    {
        byte[] full = P().Op('(').Str("hello").Raw(0x4a, 1, 2, 3, 4).Op('t').Stop();
        PickleReader.Read(full);
        for (int n = 0; n < full.Length; n++)
            Assert.Matches("empty|truncated|STOP", Reject(full[..n]));
        Assert.Contains("need 5 bytes", Reject(full[..10]));
    }

    [Fact]
    public void RejectsMissingMemoKey() =>
        Assert.Contains("memo key 5 not found", Reject(P().Op('h').Raw(5).Stop()));

    [Fact]
    public void RejectsMalformedStructure()
    {
        Assert.Contains("no MARK", Reject(P().Op('t').Stop()));
        Assert.Contains("stack underflow", Reject(P().Raw(0x86).Stop()));
        Assert.Contains("2 items on the stack", Reject(P().None().None().Stop()));
        Assert.Contains("trailing bytes", Reject([.. P().None().Stop(), 0]));
        Assert.Contains("SETITEM(S) target is list", Reject(P().Op(']').Op('(').Op('u').Stop()));
        Assert.Contains("dict key is int", Reject(P().Op('}').Int(1).None().Op('s').Stop()));
        Assert.Contains("LONG1 of 9 bytes", Reject(P().Raw(0x8a, 9).Raw(new byte[9]).Stop()));
        Assert.Contains("not valid UTF-8", Reject(P().Raw((byte)'X', 1, 0, 0, 0, 0xff).Stop()));
        Assert.Contains("protocol 4", Reject(new PickleBuilder(false).Raw(0x80, 4).None().Stop()));
    }

    [Fact]
    public void RejectsBadArrays()
    {
        byte[] four = [1, 2, 3, 4];
        Assert.Contains("Fortran", Reject(P().Array("i1", "|", [2, 2], four, fortran: true).Stop()));
        Assert.Contains("big-endian", Reject(P().Array("i4", ">", [1], four).Stop()));
        Assert.Contains("!= 4 data bytes", Reject(P().Array("i4", "<", [2], four).Stop()));
        Assert.Contains("unsupported numpy dtype 'c16'", Reject(P().Array("c16", "<", [1], four).Stop()));
        Assert.Contains("state set twice",
            Reject(P().Array("i1", "|", [4], four).Op('(').Int(1).Op(')').None().Bool(false).Op(')').Op('t').Op('b').Stop()));
        Assert.Contains("never set", Reject(P().Global("numpy.core.multiarray", "_reconstruct")
            .Tuple(b => b.Global("numpy", "ndarray"), b => b.Op(')'), b => b.Latin1Bytes([98])).Op('R').Stop()));
        Assert.Contains("bare global", Reject(P().Global("numpy", "ndarray").Stop()));
    }

    [Fact]
    public void RejectsCyclesDeepNestingAndExpansionBombs()
    {
        Assert.Contains("cycle", Reject(P().Op(']').Op('q').Raw(0).Op('h').Raw(0).Op('a').Stop()));

        var deep = P();
        for (int i = 0; i < 150; i++) deep.Op(']');
        for (int i = 0; i < 149; i++) deep.Op('a');
        Assert.Contains("nesting exceeds", Reject(deep.Stop()));

        var bomb = P().Op(']').Op('q').Raw(0);                     // T0 = []; Tk+1 = (Tk, (Tk, Tk, Tk))
        for (int i = 0; i < 30; i++) bomb.Op('h').Raw(0).Op('h').Raw(0).Op('h').Raw(0).Raw(0x87, 0x86).Op('q').Raw(0);
        Assert.Contains("exceeds 10000000 nodes", Reject(bomb.Stop()));
    }
}
