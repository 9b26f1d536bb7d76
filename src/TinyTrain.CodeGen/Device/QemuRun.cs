using System.Globalization;
using System.Text.RegularExpressions;

namespace TinyTrain.CodeGen.Device;

/// <summary>What the driver printed in QEMU: instructions per training step and per inference, and the stack's peak.</summary>
public sealed record QemuResult(IReadOnlyList<long> StepInstructions, IReadOnlyList<long> InferenceInstructions, long StackPeakBytes, string Output);

/// <summary>
/// Runs a device build bare metal under qemu-system-arm with semihosting (files relative to the project folder) and
/// -icount shift=0, which makes the SysTick count exact instructions.
/// </summary>
public static partial class QemuRun
{
    public static QemuResult Run(string directory, string elf, CortexMTarget target, TimeSpan timeout)
    {
        var qemu = Tools.Require("qemu-system-arm");
        var (exit, output) = Tools.Run(qemu,
            ["-M", target.Machine, "-nographic", "-monitor", "none", "-serial", "none", "-semihosting-config", "enable=on,target=native",
             "-icount", "shift=0", "-kernel", elf], directory, timeout);
        if (exit != 0 || !output.Contains("\ndone", StringComparison.Ordinal) && !output.StartsWith("done", StringComparison.Ordinal))
        {
            var reason = output.Split('\n').FirstOrDefault(l => l.StartsWith("error", StringComparison.Ordinal)) ?? $"exit code {exit}";
            throw new DeviceToolException($"the program failed in QEMU ({target.Machine}): {reason.Trim()}");
        }
        List<long> Values(string kind) => [.. LinePattern().Matches(output).Where(m => m.Groups[1].Value == kind)
            .Select(m => long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture))];
        var stack = StackPattern().Match(output);
        return new QemuResult(Values("step"), Values("infer"), stack.Success ? long.Parse(stack.Groups[1].Value, CultureInfo.InvariantCulture) : 0, output);
    }

    [GeneratedRegex(@"^(step|infer) \d+ instructions=(\d+)", RegexOptions.Multiline)]
    private static partial Regex LinePattern();

    [GeneratedRegex(@"^stack 0 peak=(\d+)", RegexOptions.Multiline)]
    private static partial Regex StackPattern();
}
