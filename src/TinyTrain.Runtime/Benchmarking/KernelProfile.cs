using System.Diagnostics;
using TinyTrain.Compiler.Lowered;

namespace TinyTrain.Runtime.Benchmarking;

/// <summary>What a kernel's multiply-accumulates are: int8 x int8 (the VNNI limit) or fp32 (the FMA limit; every gradient kernel).</summary>
public enum Arithmetic { None, Int8, Float32 }

/// <summary>One kind of kernel in a program: its calls' MACs and median time per step, and what fraction of the machine's limit that is.</summary>
/// <param name="TimeShare">Of the profiled step's total time.</param>
/// <param name="OfLimit">MACs per second over the peak of its arithmetic (0 for kernels without MACs).</param>
public sealed record KernelShare(string Kind, Arithmetic Arithmetic, int Calls, long MacsPerStep, double SecondsPerStep, double TimeShare,
    double MacsPerSecond, double OfLimit);

/// <summary>The measured int8 and fp32 MAC peaks of one core (see <see cref="MacPeak"/>).</summary>
public sealed record Limits(double Int8MacsPerSecond, double Float32MacsPerSecond)
{
    public double Of(Arithmetic arithmetic) => arithmetic switch
    {
        Arithmetic.Int8 => Int8MacsPerSecond,
        Arithmetic.Float32 => Float32MacsPerSecond,
        _ => double.PositiveInfinity,
    };

    /// <summary>The time a program's MACs take at the peak of their arithmetic: a step can be no faster on one core.</summary>
    public double SecondsAtLimit(Program program) => program.Calls.Sum(c => c.Macs / Of(KernelProfile.ArithmeticOf(c)));
}

/// <summary>Times every call of a program (median over steps) and adds the calls up by kernel kind.</summary>
public static class KernelProfile
{
    /// <summary>The kernel a call runs: the call type's name (a fused gradient + update is named after its gradient), "fp32" for the fp32 forward.</summary>
    public static string KindOf(KernelCall call) => call.Kernel;

    public static Arithmetic ArithmeticOf(KernelCall call) => call.Macs == 0
        ? Arithmetic.None
        : call.Int8Macs ? Arithmetic.Int8 : Arithmetic.Float32;

    /// <summary>Seconds of each call: the median over <paramref name="steps"/> runs, each after <paramref name="prepare"/>(step).</summary>
    public static double[] SecondsPerCall(Executor executor, Action<int> prepare, int steps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        var calls = executor.Program.Calls.Length;
        var ticks = new long[calls][];
        for (var c = 0; c < calls; c++) ticks[c] = new long[steps];
        for (var s = 0; s < steps; s++)
        {
            prepare(s);
            var last = Stopwatch.GetTimestamp();
            executor.Run((i, _) =>
            {
                var now = Stopwatch.GetTimestamp();
                ticks[i][s] = now - last;
                last = now;
            });
        }
        return [.. ticks.Select(t => (double)t.Order().ElementAt(steps / 2) / Stopwatch.Frequency)];
    }

    /// <summary>Calls added up by kind, slowest kind first.</summary>
    public static IReadOnlyList<KernelShare> ByKind(Program program, IReadOnlyList<double> secondsPerCall, Limits limits)
    {
        if (secondsPerCall.Count != program.Calls.Length) throw new ArgumentException($"{secondsPerCall.Count} times for {program.Calls.Length} calls");
        var total = secondsPerCall.Sum();
        return [.. program.Calls.Select((call, i) => (Call: call, Seconds: secondsPerCall[i]))
            .GroupBy(x => (Kind: KindOf(x.Call), Arithmetic: ArithmeticOf(x.Call)))
            .Select(g =>
            {
                var macs = g.Sum(x => x.Call.Macs);
                var seconds = g.Sum(x => x.Seconds);
                var rate = seconds > 0 ? macs / seconds : 0;
                return new KernelShare(g.Key.Kind, g.Key.Arithmetic, g.Count(), macs, seconds, total > 0 ? seconds / total : 0, rate,
                    g.Key.Arithmetic == Arithmetic.None ? 0 : rate / limits.Of(g.Key.Arithmetic));
            })
            .OrderByDescending(k => k.SecondsPerStep).ThenBy(k => k.Kind, StringComparer.Ordinal)];
    }
}
