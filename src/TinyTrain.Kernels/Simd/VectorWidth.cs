using System.Runtime.Intrinsics;

namespace TinyTrain.Kernels;

/// <summary>The widest vector a vectorised kernel may use. Tests force each width; the software fallback of the
/// generic Vector APIs makes every width runnable on any machine.</summary>
internal enum VectorWidth
{
    Bits128 = 128,
    Bits256 = 256,
    Bits512 = 512,
}

internal static class VectorWidths
{
    /// <summary>True when the entry points should take the vectorised path at all.</summary>
    public static bool UseVectorized => Vector128.IsHardwareAccelerated;

    /// <summary>The widest hardware-accelerated width (128 when none is).</summary>
    public static VectorWidth Preferred =>
        Vector512.IsHardwareAccelerated ? VectorWidth.Bits512
        : Vector256.IsHardwareAccelerated ? VectorWidth.Bits256
        : VectorWidth.Bits128;
}
