namespace TinyTrain.Formats.Pickle;

internal enum GlobalKind { Reconstruct, NdArrayType, DType, CodecsEncode }

/// <summary>An allow-listed global. It is a marker only: nothing is ever imported or executed.</summary>
internal sealed class PickleGlobal(string module, string name, GlobalKind kind)
{
    public string Module { get; } = module;
    public string Name { get; } = name;
    public GlobalKind Kind { get; } = kind;
}

/// <summary>A numpy.dtype under construction.</summary>
internal sealed class DTypeValue(NdDType type, char order)
{
    public NdDType Type { get; } = type;
    public char Order { get; set; } = order;
    public bool Built { get; set; }
    public bool Used { get; set; }
}

/// <summary>Counts decoded bytes against <see cref="PickleLimits.MaxArrayBytes"/>.</summary>
internal sealed class ByteBudget(long max)
{
    long _used;
    public void Take(long n)
    {
        _used += n;
        if (_used > max) throw new PickleError($"decoded byte strings and arrays exceed {max} bytes");
    }
}

/// <summary>The allow-list and the (pure, data-only) meaning of REDUCE and BUILD on its members.</summary>
internal static class NumpyGlobals
{
    public static readonly IReadOnlyList<(string Module, string Name, GlobalKind Kind)> Allowed =
    [
        ("numpy.core.multiarray", "_reconstruct", GlobalKind.Reconstruct),
        ("numpy", "ndarray", GlobalKind.NdArrayType),
        ("numpy", "dtype", GlobalKind.DType),
        ("_codecs", "encode", GlobalKind.CodecsEncode),
    ];

    public static PickleGlobal? Resolve(string module, string name)
    {
        foreach (var a in Allowed)
            if (a.Module == module && a.Name == name) return new PickleGlobal(module, name, a.Kind);
        return null;
    }

    /// <summary>REDUCE: returns the value the call would produce, after checking argument types.</summary>
    public static object Call(object? fn, object? args, ByteBudget budget)
    {
        if (fn is not PickleGlobal g) throw new PickleError($"REDUCE of {PickleText.Describe(fn)} is not allowed");
        if (args is not object?[] a) throw new PickleError($"REDUCE arguments must be a tuple, got {PickleText.Describe(args)}");
        string who = $"{g.Module}.{g.Name}";
        switch (g.Kind)
        {
            case GlobalKind.Reconstruct:
                if (a is not [PickleGlobal { Kind: GlobalKind.NdArrayType }, object?[], byte[]])
                    throw new PickleError($"{who} expects (numpy.ndarray, tuple, bytes)");
                return new NdArray();
            case GlobalKind.DType:
                if (a.Length is < 1 or > 3 || a[0] is not string code || a.Skip(1).Any(x => x is not bool))
                    throw new PickleError($"{who} expects (str, bool, bool)");
                if (!NdArray.TryParseCode(code, out var t, out char order))
                    throw new PickleError($"unsupported numpy dtype '{PickleText.Clean(code)}'");
                return new DTypeValue(t, order);
            case GlobalKind.CodecsEncode:
                if (a is not [string s, "latin1"])
                    throw new PickleError($"{who} expects (str, 'latin1')");
                budget.Take(s.Length);
                int bad = s.AsSpan().IndexOfAnyExceptInRange('\0', '\u00ff');
                if (bad >= 0) throw new PickleError($"{who}: character U+{(int)s[bad]:X4} is not latin1");
                return System.Text.Encoding.Latin1.GetBytes(s);
            default:
                throw new PickleError($"REDUCE of {PickleText.Describe(g)} is not allowed");
        }
    }

    /// <summary>BUILD: sets the state of an array or dtype made by REDUCE; anything else is rejected.</summary>
    public static void Build(object? target, object? state, ByteBudget budget)
    {
        switch (target)
        {
            case NdArray arr: BuildArray(arr, state, budget); break;
            case DTypeValue dt: BuildDType(dt, state); break;
            default: throw new PickleError($"BUILD on {PickleText.Describe(target)} is not allowed");
        }
    }

    static void BuildDType(DTypeValue dt, object? state)
    {
        if (dt.Built || dt.Used) throw new PickleError("numpy.dtype state set twice or after use");
        if (state is not object?[] s || s.Length is not (8 or 9) || s[0] is not (3L or 4L) || s[1] is not string order)
            throw new PickleError("numpy.dtype state must be (3, byteorder, None, None, None, -1, -1, flags)");
        if (s[2] is not null || s[3] is not null || s[4] is not null)
            throw new PickleError("structured or sub-array numpy dtypes are not supported");
        if (s[5] is not long || s[6] is not long || s[7] is not long)
            throw new PickleError("numpy.dtype state has non-int size fields");
        if (order is not ("<" or ">" or "|" or "="))
            throw new PickleError($"numpy.dtype byte order '{PickleText.Clean(order)}' is invalid");
        dt.Order = order[0];
        dt.Built = true;
    }

    static void BuildArray(NdArray arr, object? state, ByteBudget budget)
    {
        if (arr.IsBuilt) throw new PickleError("ndarray state set twice");
        if (state is not object?[] s || s.Length != 5 || s[0] is not 1L)
            throw new PickleError("ndarray state must be (1, shape, dtype, is_fortran, bytes)");
        if (s[1] is not object?[] dims) throw new PickleError("ndarray shape must be a tuple");
        if (s[2] is not DTypeValue dt) throw new PickleError($"ndarray dtype must be numpy.dtype, got {PickleText.Describe(s[2])}");
        if (s[3] is not bool fortran) throw new PickleError("ndarray is_fortran must be a bool");
        if (fortran) throw new PickleError("Fortran-order ndarrays are not supported");
        if (s[4] is not byte[] raw) throw new PickleError($"ndarray data must be bytes, got {PickleText.Describe(s[4])}");
        int itemSize = NdArray.ItemSizeOf(dt.Type);
        if (dt.Order == '>' && itemSize > 1) throw new PickleError("big-endian ndarrays are not supported");

        var shape = new int[dims.Length];
        long count = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] is not long d || d < 0 || d > int.MaxValue)
                throw new PickleError($"ndarray shape entry {i} is not a valid dimension");
            shape[i] = (int)d;
            if (d > 0 && count > int.MaxValue / d) throw new PickleError("ndarray shape is too large");
            count *= d;
        }
        if (count * itemSize != raw.Length)
            throw new PickleError($"ndarray shape [{string.Join(",", shape)}] x {itemSize} bytes != {raw.Length} data bytes");
        budget.Take(raw.Length);
        dt.Used = true;
        arr.Init(dt.Type, shape, raw);
    }
}
