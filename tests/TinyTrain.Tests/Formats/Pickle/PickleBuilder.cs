using System.Buffers.Binary;
using System.Text;

namespace TinyTrain.Tests.Formats.Pickle;

/// <summary>Hand-assembles small protocol-2 pickles for tests.</summary>
internal sealed class PickleBuilder
{
    readonly List<byte> _b = [];

    public PickleBuilder(bool proto = true) { if (proto) Raw(0x80, 2); }

    public PickleBuilder Raw(params byte[] bytes) { _b.AddRange(bytes); return this; }
    public PickleBuilder Op(char c) => Raw((byte)c);
    public PickleBuilder Str(string s)
    {
        var u = Encoding.UTF8.GetBytes(s);
        Op('X').Raw(new byte[4]);
        BinaryPrimitives.WriteInt32LittleEndian(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_b)[^4..], u.Length);
        return Raw(u);
    }
    public PickleBuilder Int(int v) { Op('J'); var t = new byte[4]; BinaryPrimitives.WriteInt32LittleEndian(t, v); return Raw(t); }
    public PickleBuilder Global(string module, string name) => Op('c').Raw(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));
    public PickleBuilder Tuple(params Action<PickleBuilder>[] items)
    {
        Op('(');
        foreach (var item in items) item(this);
        return Op('t');
    }
    public PickleBuilder Bool(bool v) => Raw(v ? (byte)0x88 : (byte)0x89);
    public PickleBuilder None() => Op('N');
    public PickleBuilder Latin1Bytes(byte[] data) =>
        Global("_codecs", "encode").Tuple(b => b.Str(Encoding.Latin1.GetString(data)), b => b.Str("latin1")).Op('R');

    /// <summary>numpy's own pickling of an array: _reconstruct + BUILD (1, shape, dtype, fortran, bytes).</summary>
    public PickleBuilder Array(string code, string order, int[] shape, byte[] data, bool fortran = false)
    {
        Global("numpy.core.multiarray", "_reconstruct")
            .Tuple(b => b.Global("numpy", "ndarray"), b => b.Tuple(c => c.Int(0)), b => b.Latin1Bytes("b"u8.ToArray()))
            .Op('R');
        return Tuple(
                b => b.Int(1),
                b => b.Tuple(shape.Select(d => (Action<PickleBuilder>)(c => c.Int(d))).ToArray()),
                b => b.Global("numpy", "dtype").Tuple(c => c.Str(code), c => c.Bool(false), c => c.Bool(true)).Op('R')
                      .Tuple(c => c.Int(3), c => c.Str(order), c => c.None(), c => c.None(), c => c.None(),
                             c => c.Int(-1), c => c.Int(-1), c => c.Int(0))
                      .Op('b'),
                b => b.Bool(fortran),
                b => b.Latin1Bytes(data))
            .Op('b');
    }

    public byte[] Bytes() => [.. _b];
    public byte[] Stop() => [.. _b, (byte)'.'];
}
