using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TinyTrain.Kernels;

/// <summary>
/// acc[i] += sum over j &lt; 4 of u[4i + j] * s[4i + j], u unsigned and s signed bytes, in each of eight int32 lanes
/// (VPDPBUSD). Exact: four products of at most 255 * 128 in magnitude cannot overflow a lane's int32 sum by
/// themselves, and the accumulation wraps mod 2^32 like every other int32 sum of the kernels.
/// </summary>
internal interface IByteDotProduct
{
    static abstract Vector256<int> Add(Vector256<int> acc, Vector256<byte> u, Vector256<sbyte> s);

    /// <summary>The same for four int32 lanes.</summary>
    static abstract Vector128<int> Add(Vector128<int> acc, Vector128<byte> u, Vector128<sbyte> s);
}

/// <summary>The instruction itself (AVX-VNNI).</summary>
internal readonly struct VnniByteDotProduct : IByteDotProduct
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Add(Vector256<int> acc, Vector256<byte> u, Vector256<sbyte> s) => AvxVnni.MultiplyWideningAndAdd(acc, u, s);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> Add(Vector128<int> acc, Vector128<byte> u, Vector128<sbyte> s) => AvxVnni.MultiplyWideningAndAdd(acc, u, s);
}

/// <summary>
/// The same sums without VNNI: even and odd bytes widened to int16 (u zero-, s sign-extended; every product fits
/// int16) and multiplied pairwise into int32 lanes (pmaddwd), so each lane gets the same four products.
/// </summary>
internal readonly struct WidenedByteDotProduct : IByteDotProduct
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Add(Vector256<int> acc, Vector256<byte> u, Vector256<sbyte> s) =>
        Add<Simd256, Vector256<sbyte>, Vector256<short>, Vector256<int>, Vector256<float>>(acc, u.AsSByte(), s);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> Add(Vector128<int> acc, Vector128<byte> u, Vector128<sbyte> s) =>
        Add<Simd128, Vector128<sbyte>, Vector128<short>, Vector128<int>, Vector128<float>>(acc, u.AsSByte(), s);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static I Add<W, B, S, I, F>(I acc, B u, B s)
        where W : ISimd<B, S, I, F>
    {
        var (uEven, uOdd) = W.SplitUnsigned(u);
        var (sEven, sOdd) = W.SplitSigned(s);
        return W.Add(W.Add(acc, W.MultiplyAddAdjacent(uEven, sEven)), W.MultiplyAddAdjacent(uOdd, sOdd));
    }
}
