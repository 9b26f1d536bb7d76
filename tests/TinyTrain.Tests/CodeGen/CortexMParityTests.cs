using System.Runtime.InteropServices;

namespace TinyTrain.Tests.CodeGen;

/// <summary>
/// The device side of "the host computes what the device computes": the runtime built for a Cortex-M with newlib,
/// run bare metal in QEMU, must write the same bytes as the C# reference kernels (up to the sign of the default NaN,
/// see <see cref="CKernelDriver.Difference"/>).
/// </summary>
public sealed class CortexMParityTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), $"tinytrain-cortexm-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static List<CKernelCase> Cases() => [.. CRuntimeBuildTests.EveryKernel(seed: 200, scale: 3), .. CKernelCases.Loss(seed: 201, count: 60)];

    private CKernelDriver Compile(string[] cpuFlags, string machine) =>
        CKernelDriver.CompileForCortexM(directory, cpuFlags, machine, CToolchain.Find("arm-none-eabi-gcc")!, CToolchain.Find("qemu-system-arm")!);

    [ToolFact("arm-none-eabi-gcc", "qemu-system-arm")]
    public void Every_kernel_on_a_cortex_m7_matches_the_reference() =>
        Compile(CToolchain.CortexM7Flags, "mps2-an500").AssertMatches(Cases());

    /// <summary>
    /// The loss calls libm's expf and logf, as C#'s MathF does. On a Cortex-M4F (no double-precision FPU) newlib uses
    /// its older single-precision routines, which differ from glibc's (the host's, and .NET's on Linux) in the last
    /// bits; a Cortex-M7's newlib uses the same algorithm as glibc. Every other kernel is bit-exact on both.
    /// </summary>
    [ToolFact("arm-none-eabi-gcc", "qemu-system-arm")]
    public void Every_kernel_on_a_cortex_m4_matches_the_reference_and_the_loss_to_float_precision()
    {
        var driver = Compile(CToolchain.CortexM4Flags, "mps2-an386");
        var cases = Cases();
        driver.AssertMatches([.. cases.Where(c => c.Kernel != CKernel.SoftmaxCrossEntropyForward)]);

        var losses = cases.Where(c => c.Kernel == CKernel.SoftmaxCrossEntropyForward).ToList();
        var actual = driver.Run(losses);
        for (int c = 0; c < losses.Count; c++)
        {
            for (int o = 0; o < losses[c].Expected.Length; o++)
            {
                var expected = MemoryMarshal.Cast<byte, float>(losses[c].Expected[o]);
                var got = MemoryMarshal.Cast<byte, float>(actual[c][o]);
                for (int i = 0; i < expected.Length; i++)
                {
                    Assert.True(Math.Abs(got[i] - expected[i]) <= 1e-6 * Math.Max(1, Math.Abs(expected[i])),
                        $"{losses[c]}: output {o}[{i}] = {got[i]}, expected {expected[i]}");
                }
            }
        }
    }
}
