using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TinyTrain.Runtime.Benchmarking;

/// <summary>
/// The machine's limit on one core: a loop of independent int8 dot-product (VNNI) or fp32 FMA instructions on
/// registers, no memory traffic. Twelve accumulators (distinct starting values, so no optimiser merges the chains)
/// hide the instruction latency; the rate is MACs per second.
/// </summary>
public static class MacPeak
{
    public sealed record Peak(string Instruction, int MacsPerInstruction, Rate MacsPerSecond);

    private const int Accumulators = 12;

    /// <summary>Peak int8 multiply-accumulates per second: VPDPBUSD (u8 x s8, 4 products per int32 lane).</summary>
    public static Peak Int8(int iterations = 20_000_000, int rounds = 21)
    {
        // .NET 10 has no 512-bit VPDPBUSD outside Avx10v1.V512 (AVX10 CPUs only): no Avx512Vnni class, so AvxVnni's ymm form
        // is the widest int8 dot product C# code can issue here.
        if (AvxVnni.IsSupported)
            return new("AvxVnni.MultiplyWideningAndAdd (vpdpbusd ymm)", 32, Rate(Vnni256, 32, iterations, rounds));
        // vpmaddubsw: 32 u8 x s8 products summed in pairs to int16 (no int32 accumulation: an upper bound).
        if (Avx2.IsSupported)
            return new("Avx2.MultiplyAddAdjacent (vpmaddubsw ymm)", 32, Rate(Maddubs256, 32, iterations, rounds));
        throw new PlatformNotSupportedException("the int8 peak needs AVX2 or AVX-VNNI");
    }

    /// <summary>Peak fp32 fused multiply-adds per second.</summary>
    public static Peak Float32(int iterations = 20_000_000, int rounds = 21)
    {
        if (Avx512F.IsSupported)
            return new("Avx512F.FusedMultiplyAdd (vfmadd zmm)", 16, Rate(Fma512, 16, iterations, rounds));
        if (Fma.IsSupported)
            return new("Fma.MultiplyAdd (vfmadd ymm)", 8, Rate(Fma256, 8, iterations, rounds));
        throw new PlatformNotSupportedException("the fp32 peak needs FMA");
    }

    private static Rate Rate(Func<int, int> kernel, int macsPerInstruction, int iterations, int rounds)
    {
        var sink = 0;
        var rate = Measure.PerSecond(() => sink += kernel(iterations), (double)iterations * Accumulators * macsPerInstruction, warmup: 3, rounds: rounds);
        GC.KeepAlive(sink);
        return rate;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Vnni256(int n)
    {
        var a = Vector256.Create((byte)3);
        var b = Vector256.Create((sbyte)-2);
        Vector256<int> c0 = Vector256.Create((int)0), c1 = Vector256.Create((int)1), c2 = Vector256.Create((int)2), c3 = Vector256.Create((int)3), c4 = Vector256.Create((int)4), c5 = Vector256.Create((int)5),
            c6 = Vector256.Create((int)6), c7 = Vector256.Create((int)7), c8 = Vector256.Create((int)8), c9 = Vector256.Create((int)9), c10 = Vector256.Create((int)10), c11 = Vector256.Create((int)11);
        for (var i = 0; i < n; i++)
        {
            c0 = AvxVnni.MultiplyWideningAndAdd(c0, a, b); c1 = AvxVnni.MultiplyWideningAndAdd(c1, a, b);
            c2 = AvxVnni.MultiplyWideningAndAdd(c2, a, b); c3 = AvxVnni.MultiplyWideningAndAdd(c3, a, b);
            c4 = AvxVnni.MultiplyWideningAndAdd(c4, a, b); c5 = AvxVnni.MultiplyWideningAndAdd(c5, a, b);
            c6 = AvxVnni.MultiplyWideningAndAdd(c6, a, b); c7 = AvxVnni.MultiplyWideningAndAdd(c7, a, b);
            c8 = AvxVnni.MultiplyWideningAndAdd(c8, a, b); c9 = AvxVnni.MultiplyWideningAndAdd(c9, a, b);
            c10 = AvxVnni.MultiplyWideningAndAdd(c10, a, b); c11 = AvxVnni.MultiplyWideningAndAdd(c11, a, b);
        }
        return Vector256.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Maddubs256(int n)
    {
        var a = Vector256.Create((byte)3);
        var b = Vector256.Create((sbyte)-2);
        Vector256<short> c0 = Vector256.Create((short)0), c1 = Vector256.Create((short)1), c2 = Vector256.Create((short)2), c3 = Vector256.Create((short)3), c4 = Vector256.Create((short)4), c5 = Vector256.Create((short)5),
            c6 = Vector256.Create((short)6), c7 = Vector256.Create((short)7), c8 = Vector256.Create((short)8), c9 = Vector256.Create((short)9), c10 = Vector256.Create((short)10), c11 = Vector256.Create((short)11);
        for (var i = 0; i < n; i++)
        {
            c0 += Avx2.MultiplyAddAdjacent(a, b); c1 += Avx2.MultiplyAddAdjacent(a, b); c2 += Avx2.MultiplyAddAdjacent(a, b);
            c3 += Avx2.MultiplyAddAdjacent(a, b); c4 += Avx2.MultiplyAddAdjacent(a, b); c5 += Avx2.MultiplyAddAdjacent(a, b);
            c6 += Avx2.MultiplyAddAdjacent(a, b); c7 += Avx2.MultiplyAddAdjacent(a, b); c8 += Avx2.MultiplyAddAdjacent(a, b);
            c9 += Avx2.MultiplyAddAdjacent(a, b); c10 += Avx2.MultiplyAddAdjacent(a, b); c11 += Avx2.MultiplyAddAdjacent(a, b);
        }
        return Vector256.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Fma512(int n)
    {
        var a = Vector512.Create(1.0000001f);
        var b = Vector512.Create(1e-7f);
        Vector512<float> c0 = Vector512.Create((float)0), c1 = Vector512.Create((float)1), c2 = Vector512.Create((float)2), c3 = Vector512.Create((float)3), c4 = Vector512.Create((float)4), c5 = Vector512.Create((float)5),
            c6 = Vector512.Create((float)6), c7 = Vector512.Create((float)7), c8 = Vector512.Create((float)8), c9 = Vector512.Create((float)9), c10 = Vector512.Create((float)10), c11 = Vector512.Create((float)11);
        for (var i = 0; i < n; i++)
        {
            c0 = Avx512F.FusedMultiplyAdd(c0, a, b); c1 = Avx512F.FusedMultiplyAdd(c1, a, b);
            c2 = Avx512F.FusedMultiplyAdd(c2, a, b); c3 = Avx512F.FusedMultiplyAdd(c3, a, b);
            c4 = Avx512F.FusedMultiplyAdd(c4, a, b); c5 = Avx512F.FusedMultiplyAdd(c5, a, b);
            c6 = Avx512F.FusedMultiplyAdd(c6, a, b); c7 = Avx512F.FusedMultiplyAdd(c7, a, b);
            c8 = Avx512F.FusedMultiplyAdd(c8, a, b); c9 = Avx512F.FusedMultiplyAdd(c9, a, b);
            c10 = Avx512F.FusedMultiplyAdd(c10, a, b); c11 = Avx512F.FusedMultiplyAdd(c11, a, b);
        }
        return (int)Vector512.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Fma256(int n)
    {
        var a = Vector256.Create(1.0000001f);
        var b = Vector256.Create(1e-7f);
        Vector256<float> c0 = Vector256.Create((float)0), c1 = Vector256.Create((float)1), c2 = Vector256.Create((float)2), c3 = Vector256.Create((float)3), c4 = Vector256.Create((float)4), c5 = Vector256.Create((float)5),
            c6 = Vector256.Create((float)6), c7 = Vector256.Create((float)7), c8 = Vector256.Create((float)8), c9 = Vector256.Create((float)9), c10 = Vector256.Create((float)10), c11 = Vector256.Create((float)11);
        for (var i = 0; i < n; i++)
        {
            c0 = Fma.MultiplyAdd(c0, a, b); c1 = Fma.MultiplyAdd(c1, a, b); c2 = Fma.MultiplyAdd(c2, a, b);
            c3 = Fma.MultiplyAdd(c3, a, b); c4 = Fma.MultiplyAdd(c4, a, b); c5 = Fma.MultiplyAdd(c5, a, b);
            c6 = Fma.MultiplyAdd(c6, a, b); c7 = Fma.MultiplyAdd(c7, a, b); c8 = Fma.MultiplyAdd(c8, a, b);
            c9 = Fma.MultiplyAdd(c9, a, b); c10 = Fma.MultiplyAdd(c10, a, b); c11 = Fma.MultiplyAdd(c11, a, b);
        }
        return (int)Vector256.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }
}
