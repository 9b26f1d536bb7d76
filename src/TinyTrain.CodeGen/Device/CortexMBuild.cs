using System.Globalization;
using System.Text.RegularExpressions;
using TinyTrain.CodeGen.Emitter;

namespace TinyTrain.CodeGen.Device;

/// <summary>The sizes of a linked ELF (Berkeley format of arm-none-eabi-size): flash is text + data, static RAM data + bss.</summary>
public sealed record ElfSizes(long Text, long Data, long Bss)
{
    public long FlashBytes => Text + Data;
    public long StaticRamBytes => Data + Bss;
}

/// <summary>
/// Builds a generated project for a Cortex-M with arm-none-eabi-gcc against its linker script, and reads the sizes.
/// A program that does not fit fails here with the linker's overflow, named in one line.
/// </summary>
public static partial class CortexMBuild
{
    /// <summary>The flags of every device build: those the runtime's numerics need, -O2, and sections for --gc-sections.</summary>
    public static IReadOnlyList<string> Flags { get; } = [.. CRuntime.RequiredFlags, "-O2", "-Wall", "-Wextra", "-ffunction-sections", "-fdata-sections", "-fstack-usage"];

    public static (string Elf, ElfSizes Sizes) Build(string directory, CortexMTarget target, CodegenOptions options)
    {
        var gcc = Tools.Require("arm-none-eabi-gcc");
        var size = Tools.Require("arm-none-eabi-size");
        var elf = $"model_{target.Name}.elf";
        var sources = new[] { "model.c", "model_weights.c", "main.c", "cortex_m.c" }
            .Concat(Directory.GetFiles(Path.Combine(directory, CProject.RuntimeFolder), "*.c").Select(f => Path.GetRelativePath(directory, f)).Order(StringComparer.Ordinal));
        string[] arguments =
        [
            .. target.CpuFlags, .. Flags, "-I.", $"-I{CProject.RuntimeFolder}", "-o", elf, .. sources,
            "--specs=nano.specs", "--specs=nosys.specs", "-nostartfiles", "-T", "link.ld", "-Wl,--gc-sections", $"-Wl,-Map=model_{target.Name}.map", "-lm",
        ];
        var (exit, output) = Tools.Run(gcc, arguments, directory, TimeSpan.FromMinutes(10));
        if (exit != 0) throw new DeviceToolException(Overflow(output, options) ?? $"arm-none-eabi-gcc failed: {FirstError(output)}");
        var (sizeExit, sizeOutput) = Tools.Run(size, [elf], directory, TimeSpan.FromMinutes(1));
        if (sizeExit != 0) throw new DeviceToolException($"arm-none-eabi-size failed: {sizeOutput.Trim()}");
        var numbers = sizeOutput.Split('\n')[1].Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        return (Path.Combine(directory, elf), new ElfSizes(long.Parse(numbers[0], CultureInfo.InvariantCulture), long.Parse(numbers[1], CultureInfo.InvariantCulture),
            long.Parse(numbers[2], CultureInfo.InvariantCulture)));
    }

    /// <summary>The linker's "region `RAM' overflowed by N bytes" (or the stack assertion) as the user's one-line reason.</summary>
    private static string? Overflow(string output, CodegenOptions options)
    {
        var match = OverflowPattern().Match(output);
        if (match.Success)
        {
            var region = match.Groups[1].Value;
            var size = region == "RAM" ? $"{options.RamBytes / 1024} KB of SRAM" : $"{options.FlashBytes / 1024} KB of flash";
            return $"the program does not fit the device: region {region} ({size}) overflowed by {match.Groups[2].Value} bytes";
        }
        return output.Contains("RAM overflow", StringComparison.Ordinal)
            ? $"the program does not fit the device: static data plus the {options.StackBytes} B stack reserve exceed {options.RamBytes / 1024} KB of SRAM"
            : null;
    }

    private static string FirstError(string output) =>
        output.Split('\n').FirstOrDefault(l => l.Contains("error", StringComparison.OrdinalIgnoreCase))?.Trim() ?? output.Trim();

    [GeneratedRegex(@"region `(\w+)' overflowed by (\d+) bytes")]
    private static partial Regex OverflowPattern();
}
