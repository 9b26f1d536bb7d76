namespace TinyTrain.Tests.CodeGen;

/// <summary>
/// A fact that needs optional tools (the Cortex-M cross compiler, QEMU): it runs when all are on PATH and is reported
/// as skipped, not passed, when one is missing.
/// </summary>
public sealed class ToolFactAttribute : FactAttribute
{
    public ToolFactAttribute(params string[] programs)
    {
        string[] missing = [.. programs.Where(program => CToolchain.Find(program) is null)];
        if (missing.Length > 0)
        {
            Skip = $"{string.Join(", ", missing)} not installed (apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm)";
        }
    }
}
