using System.Globalization;

namespace TinyTrain.Cli;

/// <summary>Parses sizes such as 256KB, 320KiB, 1MB or 262144 (KB and KiB are both 1024 B, as the paper counts).</summary>
public static class Bytes
{
    public static long Parse(string text)
    {
        var s = text.Trim().ToUpperInvariant();
        var (number, unit) = s.EndsWith("KIB") ? (s[..^3], 1024L) : s.EndsWith("MIB") ? (s[..^3], 1L << 20)
            : s.EndsWith("KB") ? (s[..^2], 1024L) : s.EndsWith("MB") ? (s[..^2], 1L << 20) : s.EndsWith('B') ? (s[..^1], 1L) : (s, 1L);
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? (long)Math.Round(value * unit)
            : throw new UsageException($"'{text}' is not a size (use e.g. 256KB, 1MB or a number of bytes)");
    }
}
