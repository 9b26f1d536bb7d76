using TinyTrain.Compiler.Lowered;
using LoweredProgram = TinyTrain.Compiler.Lowered.Program;

namespace TinyTrain.Cli.Commands;

/// <summary>Bytes live in the arena at each call of a program, and an ASCII chart of them.</summary>
public static class Timeline
{
    /// <summary>live[i] = bytes of the arena tensors live at call i (persistent state included).</summary>
    public static long[] LiveBytes(LoweredProgram program)
    {
        var live = new long[program.Calls.Length + 2];
        foreach (var t in program.Tensors.Where(t => t.Placement != TensorPlacement.Constant && t.Bytes > 0))
        {
            var first = Math.Max(t.FirstUse, 0);
            var last = Math.Max(t.LastUse, first);
            live[first] += t.Bytes;
            live[Math.Min(last + 1, live.Length - 1)] -= t.Bytes;
        }
        for (var i = 1; i < live.Length; i++) live[i] += live[i - 1];
        return live[..(program.Calls.Length + 1)];
    }

    /// <summary>Columns of calls (each the largest value it covers), rows of bytes; the marker column is the loss.</summary>
    public static IEnumerable<string> Chart(long[] values, long arena, int markerAt, int width = 72, int height = 10)
    {
        var columns = Math.Min(width, values.Length);
        var per = (double)values.Length / columns;
        var heights = Enumerable.Range(0, columns).Select(c =>
        {
            var from = (int)(c * per);
            var to = Math.Max(from + 1, (int)((c + 1) * per));
            return values[from..Math.Min(to, values.Length)].Max();
        }).ToArray();
        var top = Math.Max(arena, heights.Max());
        var marker = (int)(markerAt / per);
        for (var row = height; row >= 1; row--)
        {
            var threshold = top * (row - 0.5) / height;
            var label = row == height ? $"{top / 1024.0,7:F1} KB |" : row == 1 ? $"{0,7:F1} KB |" : "           |";
            var line = new string([.. heights.Select((h, c) => h >= threshold ? '#' : c == marker ? ':' : ' ')]);
            yield return label + line;
        }
        yield return "           +" + new string('-', columns);
        yield return $"            call 0{new string(' ', Math.Max(1, marker - 6))}^ loss{new string(' ', Math.Max(1, columns - marker - 12))}call {values.Length - 1}";
    }
}
