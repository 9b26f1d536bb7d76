using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace TinyTrain.Kernels;

/// <summary>
/// The training loss (paper-notes §2.2): log-softmax and negative log-likelihood on fp32 logits (the float cast
/// of the int8 logits on the device, see <see cref="Dequantize"/>), float32 throughout.
/// </summary>
public static class SoftmaxCrossEntropy
{
    /// <summary>
    /// loss = log(sum_j exp(z_j - m)) - (z_label - m) with m = max z (no overflow, and exp(0) = 1 keeps the sum
    /// &gt;= 1); logitsGrad[i] = exp(z_i - m) / sum - [i == label], the gradient of the loss. logitsGrad may be
    /// logits itself (in place).
    /// </summary>
    /// <remarks>
    /// Dispatches to <see cref="ForwardVectorized(ReadOnlySpan{float}, int, Span{float})"/> when SIMD is
    /// available and there is at least one Vector128 of logits, else to <see cref="ForwardReference"/>. The two
    /// are NOT bit-identical (see <see cref="ForwardVectorized(ReadOnlySpan{float}, int, Span{float})"/>).
    /// </remarks>
    public static float Forward(ReadOnlySpan<float> logits, int label, Span<float> logitsGrad)
    {
        if (VectorWidths.UseVectorized && logits.Length >= Vector128<float>.Count)
        {
            return ForwardVectorized(logits, label, logitsGrad);
        }

        return ForwardReference(logits, label, logitsGrad);
    }

    /// <summary>The spec of <see cref="Forward"/>: scalar, left-to-right sum. The C port implements this one.</summary>
    public static float ForwardReference(ReadOnlySpan<float> logits, int label, Span<float> logitsGrad)
    {
        Validate(logits, label, logitsGrad);
        float max = logits[0];
        foreach (float logit in logits)
        {
            max = MathF.Max(max, logit);
        }

        float target = logits[label] - max; // read before an in-place gradient overwrites it
        float sum = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            float exp = MathF.Exp(logits[i] - max);
            logitsGrad[i] = exp;
            sum += exp;
        }

        for (int i = 0; i < logitsGrad.Length; i++)
        {
            logitsGrad[i] /= sum;
        }

        logitsGrad[label] -= 1f;
        return MathF.Log(sum) - target;
    }

    /// <summary>
    /// SIMD path of <see cref="Forward"/>, NOT bit-identical to <see cref="ForwardReference"/>: the exp sum adds
    /// per-lane partial sums that are combined at the end (a different order of float additions than the scalar
    /// left-to-right loop), and the exponentials come from the vector Exp, which may differ from MathF.Exp in the
    /// last bit. The max is exact (order does not matter for a max). The loss and gradients agree with the
    /// reference to about 1e-6 relative (tested over lengths 1..257). This is acceptable because the loss is
    /// computed once per image on the host, on fp32 logits at the very end of the forward pass; nothing
    /// bit-exact is built on it, and the C port uses <see cref="ForwardReference"/>.
    /// </summary>
    public static float ForwardVectorized(ReadOnlySpan<float> logits, int label, Span<float> logitsGrad) =>
        ForwardVectorized(logits, label, logitsGrad, VectorWidths.Preferred);

    /// <summary>
    /// Uses the widest allowed vector that fits in the logits (512, 256 or 128 bits), whole vectors over the
    /// front and a scalar tail; fewer logits than one Vector128 take the reference.
    /// </summary>
    internal static float ForwardVectorized(ReadOnlySpan<float> logits, int label, Span<float> logitsGrad, VectorWidth width)
    {
        Validate(logits, label, logitsGrad);
        int length = logits.Length;
        if (width >= VectorWidth.Bits512 && length >= Vector512<float>.Count)
        {
            return Forward512(logits, label, logitsGrad);
        }

        if (width >= VectorWidth.Bits256 && length >= Vector256<float>.Count)
        {
            return Forward256(logits, label, logitsGrad);
        }

        if (length >= Vector128<float>.Count)
        {
            return Forward128(logits, label, logitsGrad);
        }

        return ForwardReference(logits, label, logitsGrad);
    }

    private static float Forward512(ReadOnlySpan<float> logits, int label, Span<float> logitsGrad)
    {
        int length = logits.Length, lanes = Vector512<float>.Count, i;
        ref float z = ref MemoryMarshal.GetReference(logits);
        ref float g = ref MemoryMarshal.GetReference(logitsGrad);
        var maxes = Vector512.LoadUnsafe(ref z);
        for (i = lanes; i <= length - lanes; i += lanes)
        {
            maxes = Vector512.Max(maxes, Vector512.LoadUnsafe(ref z, (nuint)i));
        }

        float max = MaxTail(logits, i, ReduceMax(maxes.GetLower().GetLower(), maxes.GetLower().GetUpper(), maxes.GetUpper().GetLower(), maxes.GetUpper().GetUpper()));
        float target = logits[label] - max; // read before an in-place gradient overwrites it
        var shift = Vector512.Create(max);
        var sums = Vector512<float>.Zero;
        for (i = 0; i <= length - lanes; i += lanes)
        {
            var exp = Vector512.Exp(Vector512.LoadUnsafe(ref z, (nuint)i) - shift);
            exp.StoreUnsafe(ref g, (nuint)i);
            sums += exp;
        }

        float sum = ExpTail(logits, i, max, logitsGrad, Vector512.Sum(sums));
        var divisor = Vector512.Create(sum);
        for (i = 0; i <= length - lanes; i += lanes)
        {
            (Vector512.LoadUnsafe(ref g, (nuint)i) / divisor).StoreUnsafe(ref g, (nuint)i);
        }

        return Finish(logitsGrad, i, label, sum, target);
    }

    private static float Forward256(ReadOnlySpan<float> logits, int label, Span<float> logitsGrad)
    {
        int length = logits.Length, lanes = Vector256<float>.Count, i;
        ref float z = ref MemoryMarshal.GetReference(logits);
        ref float g = ref MemoryMarshal.GetReference(logitsGrad);
        var maxes = Vector256.LoadUnsafe(ref z);
        for (i = lanes; i <= length - lanes; i += lanes)
        {
            maxes = Vector256.Max(maxes, Vector256.LoadUnsafe(ref z, (nuint)i));
        }

        float max = MaxTail(logits, i, ReduceMax(maxes.GetLower(), maxes.GetUpper()));
        float target = logits[label] - max;
        var shift = Vector256.Create(max);
        var sums = Vector256<float>.Zero;
        for (i = 0; i <= length - lanes; i += lanes)
        {
            var exp = Vector256.Exp(Vector256.LoadUnsafe(ref z, (nuint)i) - shift);
            exp.StoreUnsafe(ref g, (nuint)i);
            sums += exp;
        }

        float sum = ExpTail(logits, i, max, logitsGrad, Vector256.Sum(sums));
        var divisor = Vector256.Create(sum);
        for (i = 0; i <= length - lanes; i += lanes)
        {
            (Vector256.LoadUnsafe(ref g, (nuint)i) / divisor).StoreUnsafe(ref g, (nuint)i);
        }

        return Finish(logitsGrad, i, label, sum, target);
    }

    private static float Forward128(ReadOnlySpan<float> logits, int label, Span<float> logitsGrad)
    {
        int length = logits.Length, lanes = Vector128<float>.Count, i;
        ref float z = ref MemoryMarshal.GetReference(logits);
        ref float g = ref MemoryMarshal.GetReference(logitsGrad);
        var maxes = Vector128.LoadUnsafe(ref z);
        for (i = lanes; i <= length - lanes; i += lanes)
        {
            maxes = Vector128.Max(maxes, Vector128.LoadUnsafe(ref z, (nuint)i));
        }

        float max = MaxTail(logits, i, ReduceMax(maxes));
        float target = logits[label] - max;
        var shift = Vector128.Create(max);
        var sums = Vector128<float>.Zero;
        for (i = 0; i <= length - lanes; i += lanes)
        {
            var exp = Vector128.Exp(Vector128.LoadUnsafe(ref z, (nuint)i) - shift);
            exp.StoreUnsafe(ref g, (nuint)i);
            sums += exp;
        }

        float sum = ExpTail(logits, i, max, logitsGrad, Vector128.Sum(sums));
        var divisor = Vector128.Create(sum);
        for (i = 0; i <= length - lanes; i += lanes)
        {
            (Vector128.LoadUnsafe(ref g, (nuint)i) / divisor).StoreUnsafe(ref g, (nuint)i);
        }

        return Finish(logitsGrad, i, label, sum, target);
    }

    private static float ReduceMax(Vector128<float> a, Vector128<float> b, Vector128<float> c, Vector128<float> d) =>
        ReduceMax(Vector128.Max(Vector128.Max(a, b), Vector128.Max(c, d)));

    private static float ReduceMax(Vector128<float> a, Vector128<float> b) => ReduceMax(Vector128.Max(a, b));

    private static float ReduceMax(Vector128<float> v) =>
        MathF.Max(MathF.Max(v.GetElement(0), v.GetElement(1)), MathF.Max(v.GetElement(2), v.GetElement(3)));

    private static float MaxTail(ReadOnlySpan<float> logits, int start, float max)
    {
        for (int i = start; i < logits.Length; i++)
        {
            max = MathF.Max(max, logits[i]);
        }

        return max;
    }

    private static float ExpTail(ReadOnlySpan<float> logits, int start, float max, Span<float> logitsGrad, float sum)
    {
        for (int i = start; i < logits.Length; i++)
        {
            float exp = MathF.Exp(logits[i] - max);
            logitsGrad[i] = exp;
            sum += exp;
        }

        return sum;
    }

    private static float Finish(Span<float> logitsGrad, int start, int label, float sum, float target)
    {
        for (int i = start; i < logitsGrad.Length; i++)
        {
            logitsGrad[i] /= sum;
        }

        logitsGrad[label] -= 1f;
        return MathF.Log(sum) - target;
    }

    private static void Validate(ReadOnlySpan<float> logits, int label, ReadOnlySpan<float> logitsGrad)
    {
        if (logits.IsEmpty)
        {
            throw new ArgumentException("no logits", nameof(logits));
        }

        if (label < 0 || label >= logits.Length)
        {
            throw new ArgumentException($"label {label} is outside 0..{logits.Length - 1}", nameof(label));
        }

        Check.Length(logitsGrad, logits.Length, nameof(logitsGrad));
    }

    /// <summary>The predicted class: the index of the largest logit, the first one on ties.</summary>
    public static int Predict(ReadOnlySpan<float> logits)
    {
        if (logits.IsEmpty)
        {
            throw new ArgumentException("no logits", nameof(logits));
        }

        int best = 0;
        for (int i = 1; i < logits.Length; i++)
        {
            if (logits[i] > logits[best])
            {
                best = i;
            }
        }

        return best;
    }

    /// <summary>The predicted class of int8 logits (the same argmax: dequantisation is monotonic).</summary>
    public static int Predict(ReadOnlySpan<sbyte> logits)
    {
        if (logits.IsEmpty)
        {
            throw new ArgumentException("no logits", nameof(logits));
        }

        int best = 0;
        for (int i = 1; i < logits.Length; i++)
        {
            if (logits[i] > logits[best])
            {
                best = i;
            }
        }

        return best;
    }

    /// <summary>real[i] = (float)(q[i] - zeroPoint) * scale: int8 logits to fp32 for the loss.</summary>
    public static void Dequantize(ReadOnlySpan<sbyte> q, float scale, int zeroPoint, Span<float> real)
    {
        Check.Int8(zeroPoint, nameof(zeroPoint));
        Check.Finite(scale, nameof(scale));
        Check.Length(real, q.Length, nameof(real));
        for (int i = 0; i < q.Length; i++)
        {
            real[i] = (float)(q[i] - zeroPoint) * scale;
        }
    }
}
