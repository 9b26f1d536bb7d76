using System.Diagnostics;

namespace TinyTrain.Runtime.Benchmarking;

/// <summary>A rate over timed rounds: the median and the spread (min..max). On a shared, noisy machine compare medians as ratios.</summary>
public sealed record Rate(double Median, double Min, double Max, int Rounds)
{
    public static Rate Of(IReadOnlyCollection<double> samples)
    {
        if (samples.Count == 0) throw new ArgumentException("no samples", nameof(samples));
        var sorted = samples.Order().ToArray();
        return new Rate(sorted[sorted.Length / 2], sorted[0], sorted[^1], sorted.Length);
    }

    public Rate Times(double factor) => new(Median * factor, Min * factor, Max * factor, Rounds);

    public override string ToString() => $"{Median:F1} ({Min:F1}..{Max:F1})";
}

/// <summary>Warm-up, then timed rounds.</summary>
public static class Measure
{
    /// <summary>
    /// Units per second, where one call of <paramref name="round"/> processes <paramref name="unitsPerRound"/> units. Warm-up
    /// runs <paramref name="warmup"/> rounds and for at least <paramref name="warmupSeconds"/>, so the JIT's tiers have settled.
    /// </summary>
    public static Rate PerSecond(Action round, double unitsPerRound, int warmup = 3, int rounds = 15, double warmupSeconds = 0.5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < warmup || Stopwatch.GetElapsedTime(started).TotalSeconds < warmupSeconds; i++) round();
        var rates = new double[rounds];
        for (var i = 0; i < rounds; i++)
        {
            var start = Stopwatch.GetTimestamp();
            round();
            rates[i] = unitsPerRound / Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        return Rate.Of(rates);
    }
}
