using System.Runtime.InteropServices;

namespace TinyTrain.Tests.CodeGen;

/// <summary>
/// One kernel invocation for kernel_driver.c: scalar arguments, input tensors (an empty one reaches C as NULL),
/// the initial bytes of the buffers the kernel writes, and the bytes the C# reference left in them.
/// </summary>
internal sealed record CKernelCase(
    CKernel Kernel, string Description, int[] Ints, float[] Floats, byte[][] Inputs, byte[][] Outputs, byte[][] Expected)
{
    /// <summary>The raw bytes of a tensor, as the C kernel sees them.</summary>
    public static byte[] Bytes<T>(T[] values) where T : unmanaged => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    /// <summary>A buffer the kernel must overwrite, filled with a pattern no kernel produces by accident.</summary>
    public static T[] Poison<T>(int length) where T : unmanaged
    {
        var values = new T[length];
        MemoryMarshal.AsBytes(values.AsSpan()).Fill(0xA5);
        return values;
    }

    public override string ToString() => $"{Kernel} {Description}";
}
