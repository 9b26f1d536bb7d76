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

/// <summary>
/// A loop over whole vectors of some spans, written once for every width: <see cref="VectorWidths.Run"/> runs it at
/// the widest allowed width, then the narrower ones, each from where the one before stopped; the caller's scalar loop
/// finishes the tail (and at <see cref="VectorWidth.Scalar"/> does everything).
/// </summary>
internal interface IVectorLoop
{
    /// <summary>Runs from element <paramref name="start"/> while a whole vector fits; returns where it stopped.</summary>
    int Run<W, B, S, I, F>(int start)
        where W : ISimd<B, S, I, F>;
}

internal static class VectorLoops
{
    /// <summary>Runs the loop at every width up to <paramref name="width"/>, widest first; returns where the vectors stopped.</summary>
    public static int Run<TLoop>(this VectorWidth width, ref TLoop loop)
        where TLoop : struct, IVectorLoop, allows ref struct
    {
        int i = 0;
        if (width >= VectorWidth.Bits512)
        {
            i = loop.Run<Simd512, Vector512<sbyte>, Vector512<short>, Vector512<int>, Vector512<float>>(i);
        }

        if (width >= VectorWidth.Bits256)
        {
            i = loop.Run<Simd256, Vector256<sbyte>, Vector256<short>, Vector256<int>, Vector256<float>>(i);
        }

        if (width >= VectorWidth.Bits128)
        {
            i = loop.Run<Simd128, Vector128<sbyte>, Vector128<short>, Vector128<int>, Vector128<float>>(i);
        }

        return i;
    }

    /// <summary>The narrower of two widths (a loop that never uses the widest vectors).</summary>
    public static VectorWidth AtMost(this VectorWidth width, VectorWidth widest) => width > widest ? widest : width;
}
