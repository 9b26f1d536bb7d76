using System.Globalization;
using System.Text;
using TinyTrain.Ir;

namespace TinyTrain.CodeGen.Emitter;

/// <summary>C spellings of values, types and names. Floats are written so that the C compiler reads back the same bits.</summary>
internal static class CLiteral
{
    /// <summary>The shortest decimal that round-trips (what .NET prints), made a C float constant.</summary>
    public static string Float(float value)
    {
        if (float.IsNaN(value)) return "NAN";
        if (float.IsPositiveInfinity(value)) return "INFINITY";
        if (float.IsNegativeInfinity(value)) return "-INFINITY";
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        if (!text.Contains('.') && !text.Contains('E')) text += ".0";
        return text + "f";
    }

    /// <summary>An int32 constant; INT32_MIN has no literal of its own in C.</summary>
    public static string Int(int value) => value == int.MinValue ? "INT32_MIN" : value.ToString(CultureInfo.InvariantCulture);

    public static string Type(DType type) => type switch
    {
        DType.Int8 => "int8_t",
        DType.Int32 => "int32_t",
        DType.Float32 => "float",
        DType.UInt8 or DType.Bit => "uint8_t",
        DType.Int64 => "int64_t",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>A C identifier from a tensor or call name: the id keeps it unique, the name keeps it readable.</summary>
    public static string Identifier(string prefix, int id, string name)
    {
        var builder = new StringBuilder(prefix).Append(id.ToString(CultureInfo.InvariantCulture)).Append('_');
        foreach (var c in name)
        {
            if (builder.Length >= 48) break;
            builder.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        }
        return builder.ToString().TrimEnd('_');
    }

    /// <summary>A comment-safe version of a name (no comment terminators).</summary>
    public static string Comment(string text) => text.Replace("*/", "* /", StringComparison.Ordinal).Replace("/*", "/ *", StringComparison.Ordinal);

    /// <summary>Array elements, 16 per line (20 for bytes), indented.</summary>
    public static void Elements<T>(StringBuilder output, ReadOnlySpan<T> values, Func<T, string> format)
    {
        var perLine = typeof(T) == typeof(sbyte) || typeof(T) == typeof(byte) ? 20 : 8;
        for (var i = 0; i < values.Length; i++)
        {
            output.Append(i % perLine == 0 ? "    " : " ").Append(format(values[i])).Append(',');
            if (i % perLine == perLine - 1 || i == values.Length - 1) output.Append('\n');
        }
    }

    public static string Array<T>(string declaration, ReadOnlySpan<T> values, Func<T, string> format)
    {
        var output = new StringBuilder(declaration).Append(" = {\n");
        if (values.IsEmpty) output.Append("    0,\n");
        Elements(output, values, format);
        return output.Append("};\n").ToString();
    }

    public static string Ints(ReadOnlySpan<int> values) => string.Join(", ", values.ToArray().Select(Int));
}
