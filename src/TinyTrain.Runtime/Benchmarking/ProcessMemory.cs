namespace TinyTrain.Runtime.Benchmarking;

/// <summary>
/// The process's resident memory from /proc/self/status (Linux): VmRSS now, VmHWM the peak. Writing 5 to
/// /proc/self/clear_refs resets the peak to the current RSS, so a peak can be this run's, not the whole process's.
/// </summary>
public static class ProcessMemory
{
    /// <summary>Resets the peak to the current RSS; false where the kernel does not allow it (the peak then counts from the start).</summary>
    public static bool ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return false;
        }
    }

    public static long? CurrentBytes() => Field("VmRSS:");

    public static long? PeakBytes() => Field("VmHWM:");

    private static long? Field(string name)
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status)) return null;
        foreach (var line in File.ReadLines(status))
        {
            if (!line.StartsWith(name, StringComparison.Ordinal)) continue;
            var kilobytes = line[name.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
            return long.Parse(kilobytes, System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
        return null;
    }
}
