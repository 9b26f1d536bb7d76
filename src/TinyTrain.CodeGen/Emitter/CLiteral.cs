using System.Globalization;
using System.Text;
using TinyTrain.Compiler.Lowered;
using TinyTrain.Ir;

namespace TinyTrain.CodeGen.Emitter;

/// <summary>C spellings of values, types and names. Floats are written so that the C compiler reads back the same bits.</summary>
internal static class CLiteral
{
    public static string Float(float value) => CLiterals.Float(value);

    public static string Int(int value) => CLiterals.Int(value);

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
