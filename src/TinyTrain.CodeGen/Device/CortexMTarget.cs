namespace TinyTrain.CodeGen.Device;

/// <summary>A Cortex-M core: its compiler flags and the QEMU board that emulates it.</summary>
public sealed record CortexMTarget(string Name, string[] CpuFlags, string Machine)
{
    /// <summary>The paper's STM32F746 core (double-precision FPU), on QEMU's mps2-an500.</summary>
    public static CortexMTarget M7 { get; } = new("cortex-m7", ["-mcpu=cortex-m7", "-mfpu=fpv5-d16", "-mfloat-abi=hard", "-mthumb"], "mps2-an500");

    /// <summary>A Cortex-M4F (single-precision FPU), on QEMU's mps2-an386.</summary>
    public static CortexMTarget M4 { get; } = new("cortex-m4", ["-mcpu=cortex-m4", "-mfpu=fpv4-sp-d16", "-mfloat-abi=hard", "-mthumb"], "mps2-an386");

    public static CortexMTarget Parse(string name) => name switch
    {
        "cortex-m7" => M7,
        "cortex-m4" => M4,
        _ => throw new ArgumentException($"unknown target {name}: cortex-m7 or cortex-m4"),
    };
}
