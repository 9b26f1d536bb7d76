using TinyTrain.Formats;
using ScottPlot;
using TinyTrain.Compiler.Search;
using TinyTrain.Compiler.Sparse;

namespace TinyTrain.Cli.Commands;

/// <summary>The contribution curves as a PNG: the bias gain against k (top) and each conv's weight gain per ratio (bottom).</summary>
public static class ContributionChart
{
    public static void Save(string path, string title, ContributionTable table, ConvIndex index)
    {
        var (scale, unit) = table.Metric == ContributionMetric.Loss ? (1.0, "nats of online loss") : (100.0, "pt of accuracy");
        var chart = new Multiplot();
        chart.AddPlots(2);
        var bias = chart.GetPlot(0);
        // A diverged run has no finite gain: it is left out of the curve.
        var ks = Enumerable.Range(1, table.BiasLayers).Where(k => double.IsFinite(table.BiasGain(k))).ToArray();
        var curve = bias.Add.Scatter(ks.Select(k => (double)k).ToArray(), ks.Select(k => table.BiasGain(k) * scale).ToArray());
        curve.LegendText = "biases of the last k convs";
        bias.Add.HorizontalLine(0).Color = Colors.Gray;
        bias.Title(title);
        bias.XLabel("k (bias layers, counted from the classifier)");
        bias.YLabel($"gain ({unit})");
        bias.ShowLegend(Alignment.LowerRight);

        var weights = chart.GetPlot(1);
        foreach (var ratio in table.Ratios)
        {
            var rows = table.Weights.Where(w => w.Ratio == ratio && double.IsFinite(table.WeightGain(w))).OrderBy(w => w.Conv).ToList();
            var line = weights.Add.Scatter(rows.Select(w => (double)w.Conv).ToArray(), rows.Select(w => table.WeightGain(w) * scale).ToArray());
            line.LegendText = $"weights at ratio {SchemeText(ratio)}";
        }
        weights.Add.HorizontalLine(0).Color = Colors.Gray;
        // Mark the first pointwise conv of each block (the paper finds it contributes most).
        foreach (var conv in table.WeightConvs.Where(c => index[c].Name.EndsWith("pointwise1", StringComparison.Ordinal)))
        {
            var mark = weights.Add.VerticalLine(conv);
            mark.Color = Colors.LightGray;
            mark.LinePattern = LinePattern.Dotted;
        }
        weights.XLabel("conv index (dotted: first pointwise conv of a block)");
        weights.YLabel($"gain over {table.WeightBaselineBiasLayers} biases ({unit})");
        weights.ShowLegend(Alignment.LowerLeft);
        AtomicFile.Write(path, file => chart.SavePng(file, 1000, 800));
    }

    private static string SchemeText(double ratio) => ratio switch { 1 => "1", 0.5 => "1/2", 0.25 => "1/4", 0.125 => "1/8", _ => ratio.ToString("0.###") };
}
