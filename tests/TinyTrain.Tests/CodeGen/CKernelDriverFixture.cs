namespace TinyTrain.Tests.CodeGen;

/// <summary>The C runtime and its test driver, compiled once for a test class in a temporary folder.</summary>
public sealed class CKernelDriverFixture : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), $"tinytrain-ckernels-{Guid.NewGuid():N}");
    private readonly Lazy<CKernelDriver> driver;

    public CKernelDriverFixture() => driver = new(() => CKernelDriver.Compile(directory, []));

    /// <summary>The host build with <see cref="CToolchain.StrictFlags"/> (compiled on first use, so a missing gcc fails each test).</summary>
    internal CKernelDriver Driver => driver.Value;

    public void Dispose()
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
