using System.Buffers.Binary;
using System.Text;
using Op = TinyTrain.Formats.Pickle.PickleOpcode;

namespace TinyTrain.Formats.Pickle;

/// <summary>
/// Safe reader for the protocol-2 pickles inside tensor-free torch.save files: it interprets a fixed
/// opcode subset as data and never imports or executes anything. Result values: PickleDict, List&lt;object?&gt;,
/// object?[] (tuple), long, double, bool, string, byte[], NdArray, null.
/// </summary>
public static class PickleReader
{
    /// <summary>Globals accepted by GLOBAL, as "module name".</summary>
    public static IReadOnlyList<string> AllowedGlobals { get; } =
        NumpyGlobals.Allowed.Select(a => $"{a.Module} {a.Name}").ToArray();

    public static object? Read(byte[] data, string? sourceName = null, PickleLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        var lim = limits ?? PickleLimits.Default;
        string src = sourceName ?? "<pickle>";
        if (data.Length > lim.MaxPickleBytes)
            throw new PickleFormatException($"{src}: pickle stream of {data.Length} bytes exceeds {lim.MaxPickleBytes}");
        return new PickleMachine(data, src, lim).Run();
    }

    public static object? Read(Stream stream, string? sourceName = null, PickleLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var lim = limits ?? PickleLimits.Default;
        string src = sourceName ?? "<pickle>";
        return Read(StreamUtil.ReadBounded(stream, lim.MaxPickleBytes, src), src, lim);
    }
}

internal static class StreamUtil
{
    public static byte[] ReadBounded(Stream s, long max, string src, long sizeHint = 0)
    {
        var ms = new MemoryStream((int)Math.Clamp(sizeHint, 0, Math.Min(max, 1 << 24)));
        var buf = new byte[81920];
        int n;
        while ((n = s.Read(buf, 0, buf.Length)) > 0)
        {
            if (ms.Length + n > max) throw new PickleFormatException($"{src}: data exceeds the {max}-byte limit");
            ms.Write(buf, 0, n);
        }
        return ms.ToArray();
    }
}

internal sealed class PickleMachine(byte[] b, string src, PickleLimits lim)
{
    static readonly object True = true, False = false;
    static readonly UTF8Encoding Utf8 = new(false, true);

    readonly List<object?> _stack = [];
    readonly List<int> _marks = [];
    readonly Dictionary<uint, object?> _memo = [];
    readonly ByteBudget _budget = new(lim.MaxArrayBytes);
    int _pos, _opPos, _pushes;
    byte _op;

    public object? Run()
    {
        if (b.Length == 0) throw new PickleFormatException($"{src}: empty pickle stream", 0);
        try
        {
            while (true)
            {
                if (_pos >= b.Length)
                    throw new PickleFormatException($"{src}: truncated pickle: no STOP before the end of data (byte offset {_pos})", _pos);
                _opPos = _pos;
                _op = b[_pos++];
                if (_op == (byte)Op.STOP) return Stop();
                Step((Op)_op);
            }
        }
        catch (PickleError e) { throw Wrap(e.Message, e); }
        catch (DecoderFallbackException e) { throw Wrap("string is not valid UTF-8", e); }
    }

    PickleFormatException Wrap(string detail, Exception inner)
    {
        string name = Enum.IsDefined((Op)_op) ? ((Op)_op).ToString() : "unknown";
        return new PickleFormatException(
            $"{src}: {detail} [opcode {name} (0x{_op:x2}) at byte offset {_opPos}]", _opPos, inner);
    }

    object? Stop()
    {
        if (_marks.Count != 0) throw new PickleError("STOP with an open MARK");
        if (_stack.Count != 1) throw new PickleError($"STOP with {_stack.Count} items on the stack (expected 1)");
        if (_pos != b.Length) throw new PickleError($"{b.Length - _pos} trailing bytes after STOP");
        object? root = _stack[0];
        PickleTree.Validate(root, lim);
        return root;
    }

    void Step(Op op)
    {
        switch (op)
        {
            case Op.PROTO:
                int proto = U8();
                if (proto > 3) throw new PickleError($"unsupported pickle protocol {proto}");
                break;
            case Op.MARK:
                if (_marks.Count >= lim.MaxStack) throw new PickleError("too many open MARKs");
                _marks.Add(_stack.Count);
                break;
            case Op.EMPTY_DICT: Push(new PickleDict()); break;
            case Op.EMPTY_LIST: Push(new List<object?>()); break;
            case Op.EMPTY_TUPLE: Push(Array.Empty<object?>()); break;
            case Op.TUPLE: Push(PopMark().ToArray()); break;
            case Op.TUPLE1: Push(PopN(1)); break;
            case Op.TUPLE2: Push(PopN(2)); break;
            case Op.TUPLE3: Push(PopN(3)); break;
            case Op.SETITEM:
                {
                    object? v = Pop(), k = Pop();
                    SetItem(AsDict(Peek()), k, v);
                    break;
                }
            case Op.SETITEMS:
                {
                    var items = PopMark();
                    if (items.Count % 2 != 0) throw new PickleError("SETITEMS with an odd number of items");
                    var d = AsDict(Peek());
                    for (int i = 0; i < items.Count; i += 2) SetItem(d, items[i], items[i + 1]);
                    break;
                }
            case Op.APPEND: { object? v = Pop(); AsList(Peek()).Add(v); break; }
            case Op.APPENDS: { var items = PopMark(); AsList(Peek()).AddRange(items); break; }
            case Op.BINPUT: Put((uint)U8()); break;
            case Op.LONG_BINPUT: Put(BinaryPrimitives.ReadUInt32LittleEndian(Take(4))); break;
            case Op.BINGET: Get((uint)U8()); break;
            case Op.LONG_BINGET: Get(BinaryPrimitives.ReadUInt32LittleEndian(Take(4))); break;
            case Op.BININT: Push((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4))); break;
            case Op.BININT1: Push((long)U8()); break;
            case Op.BININT2: Push((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2))); break;
            case Op.LONG1: Push(Long1()); break;
            case Op.BINFLOAT: Push(BinaryPrimitives.ReadDoubleBigEndian(Take(8))); break;
            case Op.BINUNICODE: Push(Utf8.GetString(Take(U32Len()))); break;
            case Op.SHORT_BINUNICODE: Push(Utf8.GetString(Take(U8()))); break;
            case Op.BINBYTES: Push(Take(U32Len()).ToArray()); break;
            case Op.SHORT_BINBYTES: Push(Take(U8()).ToArray()); break;
            case Op.NONE: Push(null); break;
            case Op.NEWTRUE: Push(True); break;
            case Op.NEWFALSE: Push(False); break;
            case Op.GLOBAL:
                {
                    string module = Line(), name = Line();
                    Push(NumpyGlobals.Resolve(module, name)
                         ?? throw new PickleError($"global '{PickleText.Clean(module)} {PickleText.Clean(name)}' is not allowed"));
                    break;
                }
            case Op.REDUCE:
                {
                    object? args = Pop(), fn = Pop();
                    Push(NumpyGlobals.Call(fn, args, _budget));
                    break;
                }
            case Op.BUILD:
                {
                    object? state = Pop();
                    NumpyGlobals.Build(Peek(), state, _budget);
                    break;
                }
            default:
                throw new PickleError(Enum.IsDefined(op)
                    ? $"pickle opcode {op} is not supported by this safe reader"
                    : $"unknown pickle opcode 0x{(byte)op:x2}");
        }
    }

    // ---- stack and memo ----

    int Base => _marks.Count > 0 ? _marks[^1] : 0;

    void Push(object? v)
    {
        if (_stack.Count >= lim.MaxStack) throw new PickleError($"stack exceeds {lim.MaxStack} items");
        if (++_pushes > lim.MaxObjects) throw new PickleError($"more than {lim.MaxObjects} values");
        _stack.Add(v);
    }

    object? Peek()
    {
        if (_stack.Count <= Base) throw new PickleError("stack underflow");
        return _stack[^1];
    }

    object? Pop()
    {
        object? v = Peek();
        _stack.RemoveAt(_stack.Count - 1);
        return v;
    }

    object?[] PopN(int n)
    {
        if (_stack.Count - Base < n) throw new PickleError("stack underflow");
        var t = _stack.GetRange(_stack.Count - n, n).ToArray();
        _stack.RemoveRange(_stack.Count - n, n);
        return t;
    }

    List<object?> PopMark()
    {
        if (_marks.Count == 0) throw new PickleError("no MARK on the stack");
        int at = _marks[^1];
        _marks.RemoveAt(_marks.Count - 1);
        var items = _stack.GetRange(at, _stack.Count - at);
        _stack.RemoveRange(at, _stack.Count - at);
        return items;
    }

    void Put(uint key)
    {
        object? v = Peek();
        if (!_memo.ContainsKey(key) && _memo.Count >= lim.MaxMemo) throw new PickleError($"memo exceeds {lim.MaxMemo} entries");
        _memo[key] = v;
    }

    void Get(uint key)
    {
        if (!_memo.TryGetValue(key, out object? v)) throw new PickleError($"memo key {key} not found");
        Push(v);
    }

    static PickleDict AsDict(object? v) =>
        v as PickleDict ?? throw new PickleError($"SETITEM(S) target is {PickleText.Describe(v)}, not dict");

    static List<object?> AsList(object? v) =>
        v as List<object?> ?? throw new PickleError($"APPEND(S) target is {PickleText.Describe(v)}, not list");

    static void SetItem(PickleDict d, object? key, object? value) =>
        d.Set(key as string ?? throw new PickleError($"dict key is {PickleText.Describe(key)}, only str is supported"), value);

    // ---- raw reads (all bounds-checked against the remaining bytes) ----

    ReadOnlySpan<byte> Take(long n)
    {
        if (n > b.Length - _pos) throw new PickleError($"truncated pickle: need {n} bytes, {b.Length - _pos} left");
        var s = b.AsSpan(_pos, (int)n);
        _pos += (int)n;
        return s;
    }

    int U8() => Take(1)[0];

    long U32Len() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    object Long1()
    {
        int n = U8();
        if (n > 8) throw new PickleError($"LONG1 of {n} bytes exceeds 64 bits");
        var s = Take(n);
        long v = 0;
        for (int i = n - 1; i >= 0; i--) v = (v << 8) | s[i];
        if (n is > 0 and < 8 && (s[n - 1] & 0x80) != 0) v -= 1L << (8 * n);
        return v;
    }

    /// <summary>A GLOBAL name line: [A-Za-z0-9_.]+ then '\n'.</summary>
    string Line()
    {
        int end = Array.IndexOf(b, (byte)'\n', _pos, Math.Min(256, b.Length - _pos));
        if (end < 0) throw new PickleError("GLOBAL name is not terminated by a newline");
        var s = Encoding.Latin1.GetString(b, _pos, end - _pos);
        if (s.Length == 0 || !s.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.'))
            throw new PickleError($"GLOBAL name '{PickleText.Clean(s)}' is not a dotted identifier");
        _pos = end + 1;
        return s;
    }
}
