namespace TinyTrain.Tests.CodeGen;

/// <summary>
/// A fact that needs optional tools (the Cortex-M cross compiler, QEMU): it runs when all are on PATH and is reported
/// as skipped, not passed, when one is missing (except on CI, where scripts/setup.sh installs them).
/// </summary>
public sealed class ToolFactAttribute : FactAttribute
{
    public ToolFactAttribute(params string[] programs)
    {
        string[] missing = [.. programs.Where(program => CToolchain.Find(program) is null)];
        // On CI the setup installs the tools: a missing one there is a failure, not a skip.
        if (missing.Length > 0 && Environment.GetEnvironmentVariable("CI") != "true")
        {
            Skip = $"{string.Join(", ", missing)} not installed (apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm)";
        }
    }
}
