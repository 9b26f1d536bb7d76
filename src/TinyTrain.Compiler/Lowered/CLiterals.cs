using System.Globalization;

namespace TinyTrain.Compiler.Lowered;

/// <summary>C spellings of the scalars a call's C binding writes, so that the C compiler reads back the same bits.</summary>
public static class CLiterals
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
}
