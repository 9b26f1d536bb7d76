using System.Runtime.Intrinsics;

namespace TinyTrain.Kernels;

/// <summary>
/// The widest vector a kernel may use: <see cref="Scalar"/> runs the reference loops (the spec), the others the SIMD
/// path, tested bit-equal to it. Tests force each width; the software fallback of the generic Vector APIs makes every
/// width runnable on any machine.
/// </summary>
internal enum VectorWidth
{
    Scalar = 0,
    Bits128 = 128,
    Bits256 = 256,
    Bits512 = 512,
}

internal static class VectorWidths
{
    /// <summary>The widest hardware-accelerated width, or <see cref="VectorWidth.Scalar"/> when none is (software vectors are slower than the loops).</summary>
    public static VectorWidth Preferred =>
        Vector512.IsHardwareAccelerated ? VectorWidth.Bits512
        : Vector256.IsHardwareAccelerated ? VectorWidth.Bits256
        : Vector128.IsHardwareAccelerated ? VectorWidth.Bits128
        : VectorWidth.Scalar;
}

