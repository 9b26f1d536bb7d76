using System.Collections;
using System.Text;

namespace TinyTrain.Formats.Pickle;

/// <summary>Malformed, truncated or disallowed pickle / torch-zip input. The message is one line and names the source.</summary>
public sealed class PickleFormatException : ModelFormatException
{
    public PickleFormatException(string message, long? offset = null, Exception? inner = null)
        : base(message, inner) => Offset = offset;

    /// <summary>Byte offset of the offending opcode in the pickle stream, when known.</summary>
    public long? Offset { get; }
}

/// <summary>Resource bounds applied while reading untrusted input.</summary>
public sealed record PickleLimits
{
    public static PickleLimits Default { get; } = new();
    /// <summary>Max size of a pickle stream (and of a zip entry).</summary>
    public int MaxPickleBytes { get; init; } = 64 << 20;
    /// <summary>Max items on the stack, and max open MARKs.</summary>
    public int MaxStack { get; init; } = 1 << 20;
    public int MaxMemo { get; init; } = 1 << 20;
    /// <summary>Max values pushed in total (bounds memory: every push may allocate).</summary>
    public int MaxObjects { get; init; } = 1 << 21;
    /// <summary>Max total bytes of decoded byte strings and arrays.</summary>
    public long MaxArrayBytes { get; init; } = 128L << 20;
    /// <summary>Max container nesting of the result tree.</summary>
    public int MaxDepth { get; init; } = 100;
    /// <summary>Max node count of the result tree with shared references expanded.</summary>
    public long MaxTreeNodes { get; init; } = 10_000_000;
}

/// <summary>A Python dict with str keys, in insertion order.</summary>
public sealed class PickleDict : IReadOnlyList<KeyValuePair<string, object?>>
{
    readonly List<KeyValuePair<string, object?>> _items = [];
    Dictionary<string, int>? _index; // built once the dict grows past a few keys

    public int Count => _items.Count;
    public KeyValuePair<string, object?> this[int index] => _items[index];
    public object? this[string key] =>
        IndexOf(key) is int i and >= 0 ? _items[i].Value : throw new KeyNotFoundException($"pickle dict has no key '{key}'");
    public IEnumerable<string> Keys => _items.Select(kv => kv.Key);
    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGetValue(string key, out object? value)
    {
        int i = IndexOf(key);
        value = i >= 0 ? _items[i].Value : null;
        return i >= 0;
    }

    int IndexOf(string key)
    {
        if (_index != null) return _index.TryGetValue(key, out int i) ? i : -1;
        for (int i = 0; i < _items.Count; i++)
            if (string.Equals(_items[i].Key, key, StringComparison.Ordinal)) return i;
        return -1;
    }

    /// <summary>Python semantics: an existing key keeps its position.</summary>
    internal void Set(string key, object? value)
    {
        int i = IndexOf(key);
        if (i >= 0) { _items[i] = new(key, value); return; }
        _items.Add(new(key, value));
        if (_index != null) _index[key] = _items.Count - 1;
        else if (_items.Count > 8)
        {
            _index = new(StringComparer.Ordinal);
            for (int j = 0; j < _items.Count; j++) _index[_items[j].Key] = j;
        }
    }

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _items.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Internal error carrying a detail message; the reader adds source and offset.</summary>
internal sealed class PickleError(string message) : Exception(message);

internal static class PickleText
{
    /// <summary>Python-ish type name of a value, for messages.</summary>
    public static string Describe(object? v) => v switch
    {
        null => "None",
        bool => "bool",
        long => "int",
        double => "float",
        string => "str",
        byte[] => "bytes",
        PickleDict => "dict",
        List<object?> => "list",
        object?[] => "tuple",
        NdArray => "numpy.ndarray",
        PickleGlobal g => $"global '{Clean(g.Module)} {Clean(g.Name)}'",
        DTypeValue => "numpy.dtype",
        _ => v.GetType().Name,
    };

    /// <summary>Printable one-line excerpt: non-ASCII/control chars become \xNN, long text is cut.</summary>
    public static string Clean(string s, int max = 80)
    {
        var sb = new StringBuilder();
        foreach (char c in s)
        {
            if (sb.Length >= max) { sb.Append("..."); break; }
            if (c >= 0x20 && c < 0x7f) sb.Append(c);
            else sb.Append(c <= 0xff ? $"\\x{(int)c:x2}" : $"\\u{(int)c:x4}");
        }
        return sb.ToString();
    }
}
