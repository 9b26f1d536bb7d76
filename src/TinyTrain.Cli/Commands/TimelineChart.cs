using TinyTrain.Formats;
using ScottPlot;

namespace TinyTrain.Cli.Commands;

/// <summary>The live-bytes timeline of a training step as a PNG: bytes per call, the arena, the loss, the budget.</summary>
public static class TimelineChart
{
    public static void Save(string path, string title, long[] live, int arenaBytes, int lossCall, long? budget)
    {
        var plot = new Plot();
        var xs = Enumerable.Range(0, live.Length).Select(i => (double)i).ToArray();
        var area = plot.Add.Scatter(xs, [.. live.Select(b => b / 1024.0)]);
        area.FillY = true;
        area.MarkerSize = 0;
        area.LegendText = "live bytes";
        var arena = plot.Add.HorizontalLine(arenaBytes / 1024.0);
        arena.LegendText = $"arena {arenaBytes:N0} B";
        arena.LinePattern = LinePattern.Dashed;
        if (budget is { } b)
        {
            var limit = plot.Add.HorizontalLine(b / 1024.0);
            limit.LegendText = $"budget {b:N0} B";
            limit.Color = Colors.Red;
        }
        var loss = plot.Add.VerticalLine(lossCall);
        loss.LegendText = "loss (forward | backward)";
        loss.Color = Colors.Gray;
        plot.Title(title);
        plot.XLabel("call");
        plot.YLabel("KB live in the arena");
        plot.ShowLegend(Alignment.UpperRight);
        AtomicFile.Write(path, file => plot.SavePng(file, 1000, 420));
    }
}
