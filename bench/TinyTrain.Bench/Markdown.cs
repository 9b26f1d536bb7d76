namespace TinyTrain.Bench;

/// <summary>Markdown tables and the generated section of a document, between two marker lines.</summary>
public static class Markdown
{
    public const string Begin = "<!-- bench:begin -->";
    public const string End = "<!-- bench:end -->";

    /// <param name="align">One character per column: l (left) or r (right).</param>
    public static string Table(string[] header, string align, IEnumerable<string[]> rows)
    {
        if (align.Length != header.Length) throw new ArgumentException($"{align.Length} alignments for {header.Length} columns");
        var lines = new List<string> { Row(header), Row([.. align.Select(a => a == 'r' ? "---:" : "---")]) };
        lines.AddRange(rows.Select(r => r.Length == header.Length ? Row(r) : throw new ArgumentException($"a row of {r.Length} cells for {header.Length} columns")));
        return string.Join('\n', lines) + "\n";
    }

    private static string Row(IEnumerable<string> cells) => $"| {string.Join(" | ", cells.Select(c => c.Replace("|", "\\|", StringComparison.Ordinal)))} |";

    /// <summary>
    /// The document with <paramref name="section"/> between the markers: the old generated section is replaced, everything
    /// outside it is kept byte for byte; without markers the section is appended at the end.
    /// </summary>
    public static string Splice(string document, string section)
    {
        var generated = $"{Begin}\n{section.TrimEnd('\n')}\n{End}\n";
        var begin = document.IndexOf(Begin, StringComparison.Ordinal);
        if (begin < 0) return document.TrimEnd('\n') + "\n\n" + generated;
        var end = document.IndexOf(End, begin, StringComparison.Ordinal);
        if (end < 0) throw new InvalidDataException($"'{Begin}' without '{End}' after it");
        var after = document[(end + End.Length)..].TrimStart('\n');
        return document[..begin] + generated + (after.Length > 0 ? "\n" + after : "");
    }

    public static string Percent(double fraction) => fraction >= 0.095 ? $"{fraction * 100:F0} %" : fraction >= 0.0095 ? $"{fraction * 100:F1} %" : $"{fraction * 100:F2} %";
}
