using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TinyTrain.Kernels;

/// <summary>
/// The vector operations of one width, so a kernel's loop is written once for every width: <see cref="Simd128"/>,
/// <see cref="Simd256"/> and <see cref="Simd512"/> are structs, and the JIT compiles a generic loop once per width with
/// every call inlined (as <see cref="IByteDotProduct"/> does for the dot-product instruction). B, S, I and F are the
/// width's vectors of sbyte, short, int and float; each operation is the Vector API call of that width.
/// </summary>
internal interface ISimd<B, S, I, F>
{
    /// <summary>int (and float) lanes per vector; a vector of B holds four times as many.</summary>
    static abstract int Lanes { get; }

    static abstract B Load(ref sbyte source, nuint offset);
    static abstract F Load(ref float source, nuint offset);
    static abstract void Store(F value, ref float destination, nuint offset);

    /// <summary>The first lanes of a span, bounds-checked.</summary>
    static abstract B Create(ReadOnlySpan<sbyte> values);
    static abstract I Create(ReadOnlySpan<int> values);
    static abstract F Create(ReadOnlySpan<float> values);

    static abstract S Create(short value);
    static abstract I Create(int value);
    static abstract F Create(float value);

    static abstract (S Lower, S Upper) Widen(B value);
    static abstract (I Lower, I Upper) Widen(S value);

    /// <summary>The int8 values of four int vectors holding values in [-128, 127], in order, into destination.</summary>
    static abstract void Narrow(I a, I b, I c, I d, Span<sbyte> destination);

    static abstract S Subtract(S a, S b);
    static abstract S Multiply(S a, S b);

    /// <summary>Products of adjacent int16 lanes summed into int32 lanes (pmaddwd); every product must fit int16.</summary>
    static abstract I MultiplyAddAdjacent(S a, S b);

    /// <summary>The even and the odd bytes in int16 lanes, read as unsigned (zero-extended).</summary>
    static abstract (S Even, S Odd) SplitUnsigned(B bytes);

    /// <summary>The even and the odd bytes in int16 lanes, sign-extended.</summary>
    static abstract (S Even, S Odd) SplitSigned(B bytes);

    static abstract I Add(I a, I b);
    static abstract I Subtract(I a, I b);
    static abstract I And(I a, I b);
    static abstract I Xor(I a, I b);
    static abstract I Min(I a, I b);
    static abstract I Max(I a, I b);

    /// <summary>All-ones lanes where a equals b.</summary>
    static abstract I LanesEqual(I a, I b);

    static abstract bool AnyNegative(I value);

    /// <summary>The sign bits of four vectors, lane order, a's first.</summary>
    static abstract ulong SignBits(I a, I b, I c, I d);

    static abstract int Sum(I value);

    /// <summary>The lanes added down to four (wrapping), for one horizontal sum of several widths' partial sums.</summary>
    static abstract Vector128<int> Fold(I value);
    static abstract void CopyTo(I value, Span<int> destination);

    static abstract F Add(F a, F b);
    static abstract F Multiply(F a, F b);

    /// <summary>The value's bits where the int lane mask's are set: the value, or +0 where the mask lane is 0.</summary>
    static abstract F And(F value, I mask);
    static abstract F Divide(F a, F b);
    static abstract F Min(F a, F b);
    static abstract F Max(F a, F b);

    /// <summary>Round half to even.</summary>
    static abstract F Round(F value);

    static abstract float Sum(F value);
    static abstract F ConvertToSingle(I value);
    static abstract I ConvertToInt32(F value);

    /// <summary><see cref="Requantizer"/>'s FixedPoint mode on consecutive channels, or false where this machine cannot.</summary>
    static abstract bool TryApplyFixedPoint(in Requantizer requantizer, int channel, I sum, out I value, out I inside);
}

internal readonly struct Simd128 : ISimd<Vector128<sbyte>, Vector128<short>, Vector128<int>, Vector128<float>>
{
    public static int Lanes => Vector128<int>.Count;
    public static Vector128<sbyte> Load(ref sbyte source, nuint offset) => Vector128.LoadUnsafe(ref source, offset);
    public static Vector128<float> Load(ref float source, nuint offset) => Vector128.LoadUnsafe(ref source, offset);
    public static void Store(Vector128<float> value, ref float destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
    public static Vector128<sbyte> Create(ReadOnlySpan<sbyte> values) => Vector128.Create(values);
    public static Vector128<int> Create(ReadOnlySpan<int> values) => Vector128.Create(values);
    public static Vector128<float> Create(ReadOnlySpan<float> values) => Vector128.Create(values);
    public static Vector128<short> Create(short value) => Vector128.Create(value);
    public static Vector128<int> Create(int value) => Vector128.Create(value);
    public static Vector128<float> Create(float value) => Vector128.Create(value);
    public static (Vector128<short> Lower, Vector128<short> Upper) Widen(Vector128<sbyte> value) => Vector128.Widen(value);
    public static (Vector128<int> Lower, Vector128<int> Upper) Widen(Vector128<short> value) => Vector128.Widen(value);

    public static void Narrow(Vector128<int> a, Vector128<int> b, Vector128<int> c, Vector128<int> d, Span<sbyte> destination) =>
        Vector128.Narrow(Vector128.Narrow(a, b), Vector128.Narrow(c, d)).CopyTo(destination);

    public static Vector128<short> Subtract(Vector128<short> a, Vector128<short> b) => a - b;
    public static Vector128<short> Multiply(Vector128<short> a, Vector128<short> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> MultiplyAddAdjacent(Vector128<short> a, Vector128<short> b)
    {
        if (Sse2.IsSupported)
        {
            return Sse2.MultiplyAddAdjacent(a, b);
        }

        var product = a * b;
        return Vector128.WidenLower(product) + Vector128.WidenUpper(product);
    }

    public static (Vector128<short> Even, Vector128<short> Odd) SplitUnsigned(Vector128<sbyte> bytes) =>
        (bytes.AsInt16() & Vector128.Create((short)0xFF), Vector128.ShiftRightLogical(bytes.AsUInt16(), 8).AsInt16());

    public static (Vector128<short> Even, Vector128<short> Odd) SplitSigned(Vector128<sbyte> bytes) =>
        (Vector128.ShiftRightArithmetic(Vector128.ShiftLeft(bytes.AsInt16(), 8), 8), Vector128.ShiftRightArithmetic(bytes.AsInt16(), 8));

    public static Vector128<int> Add(Vector128<int> a, Vector128<int> b) => a + b;
    public static Vector128<int> Subtract(Vector128<int> a, Vector128<int> b) => a - b;
    public static Vector128<int> And(Vector128<int> a, Vector128<int> b) => a & b;
    public static Vector128<int> Xor(Vector128<int> a, Vector128<int> b) => a ^ b;
    public static Vector128<int> Min(Vector128<int> a, Vector128<int> b) => Vector128.Min(a, b);
    public static Vector128<int> Max(Vector128<int> a, Vector128<int> b) => Vector128.Max(a, b);
    public static Vector128<int> LanesEqual(Vector128<int> a, Vector128<int> b) => Vector128.Equals(a, b);
    public static bool AnyNegative(Vector128<int> value) => Vector128.LessThanAny(value, Vector128<int>.Zero);

    public static ulong SignBits(Vector128<int> a, Vector128<int> b, Vector128<int> c, Vector128<int> d) =>
        a.ExtractMostSignificantBits() | ((ulong)b.ExtractMostSignificantBits() << 4) | ((ulong)c.ExtractMostSignificantBits() << 8)
        | ((ulong)d.ExtractMostSignificantBits() << 12);

    public static int Sum(Vector128<int> value) => Vector128.Sum(value);
    public static Vector128<int> Fold(Vector128<int> value) => value;
    public static void CopyTo(Vector128<int> value, Span<int> destination) => value.CopyTo(destination);
    public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;
    public static Vector128<float> Multiply(Vector128<float> a, Vector128<float> b) => a * b;
    public static Vector128<float> And(Vector128<float> value, Vector128<int> mask) => value & mask.AsSingle();
    public static Vector128<float> Divide(Vector128<float> a, Vector128<float> b) => a / b;
    public static Vector128<float> Min(Vector128<float> a, Vector128<float> b) => Vector128.Min(a, b);
    public static Vector128<float> Max(Vector128<float> a, Vector128<float> b) => Vector128.Max(a, b);
    public static Vector128<float> Round(Vector128<float> value) => Vector128.Round(value);
    public static float Sum(Vector128<float> value) => Vector128.Sum(value);
    public static Vector128<float> ConvertToSingle(Vector128<int> value) => Vector128.ConvertToSingle(value);
    public static Vector128<int> ConvertToInt32(Vector128<float> value) => Vector128.ConvertToInt32(value);

    /// <summary>The 256-bit form on the four lanes, the upper ones zero (the extra lanes are computed and dropped).</summary>
    public static bool TryApplyFixedPoint(in Requantizer requantizer, int channel, Vector128<int> sum, out Vector128<int> value, out Vector128<int> inside)
    {
        bool applied = requantizer.TryApplyFixedPoint(channel, 4, sum.ToVector256(), out var wide, out var wideInside);
        (value, inside) = (wide.GetLower(), wideInside.GetLower());
        return applied;
    }
}

internal readonly struct Simd256 : ISimd<Vector256<sbyte>, Vector256<short>, Vector256<int>, Vector256<float>>
{
    public static int Lanes => Vector256<int>.Count;
    public static Vector256<sbyte> Load(ref sbyte source, nuint offset) => Vector256.LoadUnsafe(ref source, offset);
    public static Vector256<float> Load(ref float source, nuint offset) => Vector256.LoadUnsafe(ref source, offset);
    public static void Store(Vector256<float> value, ref float destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
    public static Vector256<sbyte> Create(ReadOnlySpan<sbyte> values) => Vector256.Create(values);
    public static Vector256<int> Create(ReadOnlySpan<int> values) => Vector256.Create(values);
    public static Vector256<float> Create(ReadOnlySpan<float> values) => Vector256.Create(values);
    public static Vector256<short> Create(short value) => Vector256.Create(value);
    public static Vector256<int> Create(int value) => Vector256.Create(value);
    public static Vector256<float> Create(float value) => Vector256.Create(value);
    public static (Vector256<short> Lower, Vector256<short> Upper) Widen(Vector256<sbyte> value) => Vector256.Widen(value);
    public static (Vector256<int> Lower, Vector256<int> Upper) Widen(Vector256<short> value) => Vector256.Widen(value);

    public static void Narrow(Vector256<int> a, Vector256<int> b, Vector256<int> c, Vector256<int> d, Span<sbyte> destination) =>
        Vector256.Narrow(Vector256.Narrow(a, b), Vector256.Narrow(c, d)).CopyTo(destination);

    public static Vector256<short> Subtract(Vector256<short> a, Vector256<short> b) => a - b;
    public static Vector256<short> Multiply(Vector256<short> a, Vector256<short> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> MultiplyAddAdjacent(Vector256<short> a, Vector256<short> b)
    {
        if (Avx2.IsSupported)
        {
            return Avx2.MultiplyAddAdjacent(a, b);
        }

        var product = a * b;
        return Vector256.WidenLower(product) + Vector256.WidenUpper(product);
    }

    public static (Vector256<short> Even, Vector256<short> Odd) SplitUnsigned(Vector256<sbyte> bytes) =>
        (bytes.AsInt16() & Vector256.Create((short)0xFF), Vector256.ShiftRightLogical(bytes.AsUInt16(), 8).AsInt16());

    public static (Vector256<short> Even, Vector256<short> Odd) SplitSigned(Vector256<sbyte> bytes) =>
        (Vector256.ShiftRightArithmetic(Vector256.ShiftLeft(bytes.AsInt16(), 8), 8), Vector256.ShiftRightArithmetic(bytes.AsInt16(), 8));

    public static Vector256<int> Add(Vector256<int> a, Vector256<int> b) => a + b;
    public static Vector256<int> Subtract(Vector256<int> a, Vector256<int> b) => a - b;
    public static Vector256<int> And(Vector256<int> a, Vector256<int> b) => a & b;
    public static Vector256<int> Xor(Vector256<int> a, Vector256<int> b) => a ^ b;
    public static Vector256<int> Min(Vector256<int> a, Vector256<int> b) => Vector256.Min(a, b);
    public static Vector256<int> Max(Vector256<int> a, Vector256<int> b) => Vector256.Max(a, b);
    public static Vector256<int> LanesEqual(Vector256<int> a, Vector256<int> b) => Vector256.Equals(a, b);
    public static bool AnyNegative(Vector256<int> value) => Vector256.LessThanAny(value, Vector256<int>.Zero);

    public static ulong SignBits(Vector256<int> a, Vector256<int> b, Vector256<int> c, Vector256<int> d) =>
        a.ExtractMostSignificantBits() | ((ulong)b.ExtractMostSignificantBits() << 8) | ((ulong)c.ExtractMostSignificantBits() << 16)
        | ((ulong)d.ExtractMostSignificantBits() << 24);

    public static int Sum(Vector256<int> value) => Vector256.Sum(value);
    public static Vector128<int> Fold(Vector256<int> value) => value.GetLower() + value.GetUpper();
    public static void CopyTo(Vector256<int> value, Span<int> destination) => value.CopyTo(destination);
    public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;
    public static Vector256<float> Multiply(Vector256<float> a, Vector256<float> b) => a * b;
    public static Vector256<float> And(Vector256<float> value, Vector256<int> mask) => value & mask.AsSingle();
    public static Vector256<float> Divide(Vector256<float> a, Vector256<float> b) => a / b;
    public static Vector256<float> Min(Vector256<float> a, Vector256<float> b) => Vector256.Min(a, b);
    public static Vector256<float> Max(Vector256<float> a, Vector256<float> b) => Vector256.Max(a, b);
    public static Vector256<float> Round(Vector256<float> value) => Vector256.Round(value);
    public static float Sum(Vector256<float> value) => Vector256.Sum(value);
    public static Vector256<float> ConvertToSingle(Vector256<int> value) => Vector256.ConvertToSingle(value);
    public static Vector256<int> ConvertToInt32(Vector256<float> value) => Vector256.ConvertToInt32(value);

    public static bool TryApplyFixedPoint(in Requantizer requantizer, int channel, Vector256<int> sum, out Vector256<int> value, out Vector256<int> inside) =>
        requantizer.TryApplyFixedPoint(channel, 8, sum, out value, out inside);
}

internal readonly struct Simd512 : ISimd<Vector512<sbyte>, Vector512<short>, Vector512<int>, Vector512<float>>
{
    public static int Lanes => Vector512<int>.Count;
    public static Vector512<sbyte> Load(ref sbyte source, nuint offset) => Vector512.LoadUnsafe(ref source, offset);
    public static Vector512<float> Load(ref float source, nuint offset) => Vector512.LoadUnsafe(ref source, offset);
    public static void Store(Vector512<float> value, ref float destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
    public static Vector512<sbyte> Create(ReadOnlySpan<sbyte> values) => Vector512.Create(values);
    public static Vector512<int> Create(ReadOnlySpan<int> values) => Vector512.Create(values);
    public static Vector512<float> Create(ReadOnlySpan<float> values) => Vector512.Create(values);
    public static Vector512<short> Create(short value) => Vector512.Create(value);
    public static Vector512<int> Create(int value) => Vector512.Create(value);
    public static Vector512<float> Create(float value) => Vector512.Create(value);
    public static (Vector512<short> Lower, Vector512<short> Upper) Widen(Vector512<sbyte> value) => Vector512.Widen(value);
    public static (Vector512<int> Lower, Vector512<int> Upper) Widen(Vector512<short> value) => Vector512.Widen(value);

    public static void Narrow(Vector512<int> a, Vector512<int> b, Vector512<int> c, Vector512<int> d, Span<sbyte> destination) =>
        Vector512.Narrow(Vector512.Narrow(a, b), Vector512.Narrow(c, d)).CopyTo(destination);

    public static Vector512<short> Subtract(Vector512<short> a, Vector512<short> b) => a - b;
    public static Vector512<short> Multiply(Vector512<short> a, Vector512<short> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> MultiplyAddAdjacent(Vector512<short> a, Vector512<short> b)
    {
        if (Avx512BW.IsSupported)
        {
            return Avx512BW.MultiplyAddAdjacent(a, b);
        }

        var product = a * b;
        return Vector512.WidenLower(product) + Vector512.WidenUpper(product);
    }

    public static (Vector512<short> Even, Vector512<short> Odd) SplitUnsigned(Vector512<sbyte> bytes) =>
        (bytes.AsInt16() & Vector512.Create((short)0xFF), Vector512.ShiftRightLogical(bytes.AsUInt16(), 8).AsInt16());

    public static (Vector512<short> Even, Vector512<short> Odd) SplitSigned(Vector512<sbyte> bytes) =>
        (Vector512.ShiftRightArithmetic(Vector512.ShiftLeft(bytes.AsInt16(), 8), 8), Vector512.ShiftRightArithmetic(bytes.AsInt16(), 8));

    public static Vector512<int> Add(Vector512<int> a, Vector512<int> b) => a + b;
    public static Vector512<int> Subtract(Vector512<int> a, Vector512<int> b) => a - b;
    public static Vector512<int> And(Vector512<int> a, Vector512<int> b) => a & b;
    public static Vector512<int> Xor(Vector512<int> a, Vector512<int> b) => a ^ b;
    public static Vector512<int> Min(Vector512<int> a, Vector512<int> b) => Vector512.Min(a, b);
    public static Vector512<int> Max(Vector512<int> a, Vector512<int> b) => Vector512.Max(a, b);
    public static Vector512<int> LanesEqual(Vector512<int> a, Vector512<int> b) => Vector512.Equals(a, b);
    public static bool AnyNegative(Vector512<int> value) => Vector512.LessThanAny(value, Vector512<int>.Zero);

    public static ulong SignBits(Vector512<int> a, Vector512<int> b, Vector512<int> c, Vector512<int> d) =>
        a.ExtractMostSignificantBits() | ((ulong)b.ExtractMostSignificantBits() << 16) | ((ulong)c.ExtractMostSignificantBits() << 32)
        | ((ulong)d.ExtractMostSignificantBits() << 48);

    public static int Sum(Vector512<int> value) => Vector512.Sum(value);
    public static Vector128<int> Fold(Vector512<int> value) => Simd256.Fold(value.GetLower() + value.GetUpper());
    public static void CopyTo(Vector512<int> value, Span<int> destination) => value.CopyTo(destination);
    public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;
    public static Vector512<float> Multiply(Vector512<float> a, Vector512<float> b) => a * b;
    public static Vector512<float> And(Vector512<float> value, Vector512<int> mask) => value & mask.AsSingle();
    public static Vector512<float> Divide(Vector512<float> a, Vector512<float> b) => a / b;
    public static Vector512<float> Min(Vector512<float> a, Vector512<float> b) => Vector512.Min(a, b);
    public static Vector512<float> Max(Vector512<float> a, Vector512<float> b) => Vector512.Max(a, b);
    public static Vector512<float> Round(Vector512<float> value) => Vector512.Round(value);
    public static float Sum(Vector512<float> value) => Vector512.Sum(value);
    public static Vector512<float> ConvertToSingle(Vector512<int> value) => Vector512.ConvertToSingle(value);
    public static Vector512<int> ConvertToInt32(Vector512<float> value) => Vector512.ConvertToInt32(value);

    /// <summary>Two 256-bit halves, channels [channel, channel + 8) and [channel + 8, channel + 16).</summary>
    public static bool TryApplyFixedPoint(in Requantizer requantizer, int channel, Vector512<int> sum, out Vector512<int> value, out Vector512<int> inside)
    {
        value = default;
        inside = default;
        if (!requantizer.TryApplyFixedPoint(channel, 8, sum.GetLower(), out var lower, out var lowerInside)
            || !requantizer.TryApplyFixedPoint(channel + 8, 8, sum.GetUpper(), out var upper, out var upperInside))
        {
            return false;
        }

        value = Vector512.Create(lower, upper);
        inside = Vector512.Create(lowerInside, upperInside);
        return true;
    }
}
