using System.Globalization;
using System.Runtime.InteropServices;

namespace TinyTrain.Bench;

/// <summary>What the figures ran on: lscpu's model and topology, memory, OS, runtime versions, niceness and the load average.</summary>
public static class MachineInfo
{
    public static string LoadAverage()
    {
        if (!File.Exists("/proc/loadavg")) return "unknown";
        var fields = File.ReadAllText("/proc/loadavg").Split(' ');
        return $"{fields[0]} / {fields[1]} / {fields[2]}";
    }

    /// <summary>The 1-minute load average as a number (NaN where unknown).</summary>
    public static double Load1() => File.Exists("/proc/loadavg")
        ? double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture)
        : double.NaN;

    public static int Niceness()
    {
        // /proc/self/stat: "pid (comm) state ppid ..."; nice is the 19th field.
        var stat = File.Exists("/proc/self/stat") ? File.ReadAllText("/proc/self/stat") : "";
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return fields.Length > 16 && int.TryParse(fields[16], out var nice) ? nice : 0;
    }

    /// <summary>Rows of a two-column table.</summary>
    public static IReadOnlyList<string[]> Rows(string ortVersion, string loadBefore)
    {
        var lscpu = (Tool.Run("lscpu", "") ?? "").Split('\n')
            .Select(l => l.Split(':', 2)).Where(p => p.Length == 2).GroupBy(p => p[0].Trim()).ToDictionary(g => g.Key, g => g.First()[1].Trim());
        string L(string key) => lscpu.TryGetValue(key, out var v) ? v : "?";
        var flags = L("Flags").Split(' ');
        string[] interesting = ["avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx_vnni", "avx512_bf16"];
        var memory = File.Exists("/proc/meminfo") ? File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)) : "?";
        var kilobytes = long.TryParse(memory.Split(' ', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1), out var k) ? k : 0;
        var os = File.Exists("/etc/os-release")
            ? File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?[12..].Trim('"') ?? "?"
            : RuntimeInformation.OSDescription;
        var gcc = (Tool.Run("gcc", "--version") ?? "not found").Split('\n')[0];
        return
        [
            ["CPU (lscpu)", $"{L("Model name")}, {L("Vendor ID")}, family {L("CPU family")} model {L("Model")}, BogoMIPS {L("BogoMIPS")}"],
            ["cores", $"{Environment.ProcessorCount} CPUs: {L("Socket(s)")} socket, {L("Core(s) per socket")} cores per socket, {L("Thread(s) per core")} thread per core"],
            ["SIMD flags", string.Join(", ", interesting.Select(f => flags.Contains(f) ? f : $"no {f}"))],
            ["memory", $"{kilobytes / 1024.0 / 1024.0:F1} GiB"],
            ["OS", $"{os}, {RuntimeInformation.OSArchitecture}"],
            [".NET", $"{RuntimeInformation.FrameworkDescription} ({Environment.Version}), Release build, Server GC {(System.Runtime.GCSettings.IsServerGC ? "on" : "off")}"],
            ["ONNX Runtime", $"{ortVersion} (NuGet Microsoft.ML.OnnxRuntime, CPU provider)"],
            ["gcc (for the C peak)", gcc],
            ["niceness of the run", $"{Niceness()}"],
            ["load average (1 / 5 / 15 min) before", loadBefore],
        ];
    }
}
