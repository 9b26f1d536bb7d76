using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using TinyTrain.Runtime.Benchmarking;

namespace TinyTrain.Bench;

/// <summary>The machine's limit on one core (see <see cref="MacPeak"/>), and the hardware's 512-bit VNNI rate measured from C.</summary>
public static partial class PeakBench
{
    public sealed record Row(string What, string Instruction, int MacsPerInstruction, Rate MacsPerSecond);

    public static IReadOnlyList<Row> Measure(bool native, int rounds = 21)
    {
        var int8 = MacPeak.Int8(rounds: rounds);
        var fp32 = MacPeak.Float32(rounds: rounds);
        var rows = new List<Row> { new("int8", int8.Instruction + ", C#", int8.MacsPerInstruction, int8.MacsPerSecond) };
        if (native && NativeVnni512() is { } c) rows.Add(c);
        rows.Add(new("fp32", fp32.Instruction + ", C#", fp32.MacsPerInstruction, fp32.MacsPerSecond));
        return rows;
    }

    public static string Table(IEnumerable<Row> rows) => Markdown.Table(
        ["what", "instruction", "MACs per instruction", "MAC/s, one core (median, min..max)", "instructions/s"], "llrlr",
        rows.Select(r => new[]
        {
            r.What, r.Instruction, $"{r.MacsPerInstruction}", $"{r.MacsPerSecond.Median / 1e9:F1} G ({r.MacsPerSecond.Min / 1e9:F1}..{r.MacsPerSecond.Max / 1e9:F1})",
            $"{r.MacsPerSecond.Median / r.MacsPerInstruction / 1e9:F2} G",
        }));

    public static void Run() => Console.Write(Table(Measure(native: true)));

    /// <summary>bench/peak_vnni512.c built with gcc and run (vpdpbusd zmm, which .NET 10 cannot issue here); null without gcc or AVX-512 VNNI.</summary>
    public static Row? NativeVnni512()
    {
        var source = Path.Combine(Repository.Root, "bench", "peak_vnni512.c");
        if (!File.Exists(source) || !File.ReadAllText("/proc/cpuinfo").Contains("avx512_vnni", StringComparison.Ordinal)) return null;
        var binary = Path.Combine(Path.GetTempPath(), $"peak_vnni512_{Environment.ProcessId}");
        try
        {
            if (Tool.Run("gcc", $"-O2 -mavx512f -mavx512vnni -o {binary} {source}") is null) return null;
            var line = Tool.Run(binary, "");
            var match = line is null ? null : PeakLine().Match(line);
            if (match is null || !match.Success) return null;
            double G(string group) => double.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture) * 1e9;
            return new Row("int8", "vpdpbusd zmm, C (`bench/peak_vnni512.c`, gcc -O2)", 64, new Rate(G("median"), G("min"), G("max"), 21));
        }
        finally
        {
            if (File.Exists(binary)) File.Delete(binary);
        }
    }

    [GeneratedRegex(@"\| (?<median>[0-9.]+) G \((?<min>[0-9.]+)\.\.(?<max>[0-9.]+)\) \|")]
    private static partial Regex PeakLine();
}

/// <summary>Runs a tool and returns its standard output, or null when it cannot be started or fails.</summary>
public static class Tool
{
    public static string? Run(string file, string arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false });
            if (process is null) return null;
            var stderr = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            _ = stderr.Result;
            return process.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}

/// <summary>The repository's root: the nearest folder above the working directory or the binary holding TinyTrain.slnx.</summary>
public static class Repository
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "TinyTrain.slnx"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }
}
