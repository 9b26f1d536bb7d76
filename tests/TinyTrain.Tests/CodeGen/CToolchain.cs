using System.Diagnostics;
using TinyTrain.CodeGen;

namespace TinyTrain.Tests.CodeGen;

/// <summary>Finds and runs the C tools the code-generation tests use (host gcc, arm-none-eabi-gcc, nm).</summary>
internal static class CToolchain
{
    /// <summary>The flags every build of the runtime uses: the runtime's required ones, warnings as errors, -O2.</summary>
    public static readonly string[] StrictFlags = [.. CRuntime.RequiredFlags, "-Wall", "-Wextra", "-Werror", "-O2"];

    /// <summary>The Cortex-M7 build of design §7 (double-precision FPU).</summary>
    public static readonly string[] CortexM7Flags = TinyTrain.CodeGen.Device.CortexMTarget.M7.CpuFlags;

    /// <summary>A Cortex-M4F build (single-precision FPU: newlib picks other float routines).</summary>
    public static readonly string[] CortexM4Flags = TinyTrain.CodeGen.Device.CortexMTarget.M4.CpuFlags;

    /// <summary>The full path of a program on PATH, or null.</summary>
    public static string? Find(string program) => TinyTrain.CodeGen.Device.Tools.Find(program);

    /// <summary>The host C compiler; a missing one fails the test with the fix, it never skips it.</summary>
    public static string HostCompiler() =>
        Find("gcc") ?? throw new InvalidOperationException(
            "gcc is not on PATH: the C kernel tests compile the runtime with the host C compiler (install it: apt-get install gcc libc6-dev)");

    /// <summary>Runs a program to completion; returns its exit code and its stdout and stderr together.</summary>
    public static (int ExitCode, string Output) Run(string program, IEnumerable<string> arguments, string workingDirectory,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish in 5 minutes");
        }

        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
