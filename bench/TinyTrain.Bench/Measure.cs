using System.Diagnostics;

namespace TinyTrain.Bench;

/// <summary>Warm-up, then timed rounds; reports the median and the spread (min..max) of a per-round rate.</summary>
public static class Measure
{
    public sealed record Rate(double Median, double Min, double Max, int Rounds)
    {
        public override string ToString() => $"{Median:F1} (min {Min:F1}, max {Max:F1}, {Rounds} rounds)";
    }

    /// <summary>Rate in units per second, where one call of <paramref name="round"/> processes <paramref name="unitsPerRound"/> units.</summary>
    public static Rate PerSecond(Action round, double unitsPerRound, int warmup = 3, int rounds = 15)
    {
        for (var i = 0; i < warmup; i++) round();
        var rates = new double[rounds];
        for (var i = 0; i < rounds; i++)
        {
            var watch = Stopwatch.StartNew();
            round();
            rates[i] = unitsPerRound / watch.Elapsed.TotalSeconds;
        }
        Array.Sort(rates);
        return new Rate(rates[rounds / 2], rates[0], rates[^1], rounds);
    }
}
