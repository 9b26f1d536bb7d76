using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace TinyTrain.Kernels;

public static partial class Sgd
{
    /// <summary>SIMD path; bit-identical to <see cref="UpdateInt8WeightsReference"/>.</summary>
    public static void UpdateInt8WeightsVectorized(
        Span<sbyte> weights, ReadOnlySpan<float> grad, ReadOnlySpan<float> qas, int channelStride, float lr, Span<float> momentum, float beta) =>
        UpdateInt8WeightsVectorized(weights, grad, qas, channelStride, lr, momentum, beta, VectorWidths.Preferred);

    /// <summary>SIMD path; bit-identical to <see cref="UpdateMasterReference"/>.</summary>
    public static void UpdateMasterVectorized(
        Span<float> master, ReadOnlySpan<float> grad, ReadOnlySpan<float> qas, int channelStride, float lr, Span<float> momentum, float beta) =>
        UpdateMasterVectorized(master, grad, qas, channelStride, lr, momentum, beta, VectorWidths.Preferred);

    /// <summary>
    /// Runs of elements whose QAS factors load as one vector: the whole tensor when there is at most one factor,
    /// one channel-last row of qas.Length elements when channelStride is 1, else one channel's channelStride
    /// elements sharing a broadcast factor. Each lane does the scalar operations in the scalar order. 16 (or 32)
    /// int8 weights widen to four float vectors and narrow back after rounding; 512-bit widths use 256.
    /// </summary>
    internal static void UpdateInt8WeightsVectorized(
        Span<sbyte> weights, ReadOnlySpan<float> grad, ReadOnlySpan<float> qas, int channelStride, float lr, Span<float> momentum, float beta,
        VectorWidth width)
    {
        Validate(weights.Length, grad, qas, channelStride, momentum, nameof(weights));
        int run = RunLength(weights.Length, qas, channelStride);
        for (int start = 0, index = 0; start < weights.Length; start += run, index++)
        {
            Int8Run(
                width, weights.Slice(start, run), grad.Slice(start, run), RunFactors(qas, channelStride, index),
                lr, momentum.IsEmpty ? momentum : momentum.Slice(start, run), beta);
        }
    }

    internal static void UpdateMasterVectorized(
        Span<float> master, ReadOnlySpan<float> grad, ReadOnlySpan<float> qas, int channelStride, float lr, Span<float> momentum, float beta,
        VectorWidth width)
    {
        Validate(master.Length, grad, qas, channelStride, momentum, nameof(master));
        int run = RunLength(master.Length, qas, channelStride);
        for (int start = 0, index = 0; start < master.Length; start += run, index++)
        {
            MasterRun(
                width, master.Slice(start, run), grad.Slice(start, run), RunFactors(qas, channelStride, index),
                lr, momentum.IsEmpty ? momentum : momentum.Slice(start, run), beta);
        }
    }

    private static int RunLength(int length, ReadOnlySpan<float> qas, int channelStride) =>
        qas.Length <= 1 ? Math.Max(length, 1) : channelStride == 1 ? qas.Length : channelStride;

    /// <summary>A run's factors: none, one broadcast factor, or one per element (a channel-last row).</summary>
    private static ReadOnlySpan<float> RunFactors(ReadOnlySpan<float> qas, int channelStride, int index) =>
        qas.Length <= 1 || channelStride == 1 ? qas : qas.Slice(index % qas.Length, 1);

    private static void Int8Run(
        VectorWidth width, Span<sbyte> weights, ReadOnlySpan<float> grad, ReadOnlySpan<float> factors, float lr, Span<float> momentum, float beta)
    {
        int i = 0;
        if (width >= VectorWidth.Bits256)
        {
            for (; i <= weights.Length - 32; i += 32)
            {
                var (lo, hi) = Vector256.Widen(Vector256.Create((ReadOnlySpan<sbyte>)weights.Slice(i, 32)));
                var (w0, w1) = Vector256.Widen(lo);
                var (w2, w3) = Vector256.Widen(hi);
                var r0 = RoundToInt8(Update(Vector256.ConvertToSingle(w0), grad, factors, i, lr, momentum, beta), w0);
                var r1 = RoundToInt8(Update(Vector256.ConvertToSingle(w1), grad, factors, i + 8, lr, momentum, beta), w1);
                var r2 = RoundToInt8(Update(Vector256.ConvertToSingle(w2), grad, factors, i + 16, lr, momentum, beta), w2);
                var r3 = RoundToInt8(Update(Vector256.ConvertToSingle(w3), grad, factors, i + 24, lr, momentum, beta), w3);
                Vector256.Narrow(Vector256.Narrow(r0, r1), Vector256.Narrow(r2, r3)).CopyTo(weights.Slice(i, 32));
            }
        }

        for (; i <= weights.Length - 16; i += 16)
        {
            var (lo, hi) = Vector128.Widen(Vector128.Create((ReadOnlySpan<sbyte>)weights.Slice(i, 16)));
            var (w0, w1) = Vector128.Widen(lo);
            var (w2, w3) = Vector128.Widen(hi);
            var r0 = RoundToInt8(Update(Vector128.ConvertToSingle(w0), grad, factors, i, lr, momentum, beta), w0);
            var r1 = RoundToInt8(Update(Vector128.ConvertToSingle(w1), grad, factors, i + 4, lr, momentum, beta), w1);
            var r2 = RoundToInt8(Update(Vector128.ConvertToSingle(w2), grad, factors, i + 8, lr, momentum, beta), w2);
            var r3 = RoundToInt8(Update(Vector128.ConvertToSingle(w3), grad, factors, i + 12, lr, momentum, beta), w3);
            Vector128.Narrow(Vector128.Narrow(r0, r1), Vector128.Narrow(r2, r3)).CopyTo(weights.Slice(i, 16));
        }

        for (; i < weights.Length; i++)
        {
            float updated = (float)weights[i] - lr * ScalarStep(grad, factors, i, momentum, beta);
            if (!float.IsNaN(updated))
            {
                weights[i] = RoundToInt8(updated);
            }
        }
    }

    private static void MasterRun(
        VectorWidth width, Span<float> master, ReadOnlySpan<float> grad, ReadOnlySpan<float> factors, float lr, Span<float> momentum, float beta)
    {
        int i = 0;
        if (width >= VectorWidth.Bits512)
        {
            for (; i <= master.Length - 16; i += 16)
            {
                var update = Update(Vector512.Create((ReadOnlySpan<float>)master.Slice(i, 16)), grad, factors, i, lr, momentum, beta);
                update.CopyTo(master.Slice(i, 16));
            }
        }

        if (width >= VectorWidth.Bits256)
        {
            for (; i <= master.Length - 8; i += 8)
            {
                var update = Update(Vector256.Create((ReadOnlySpan<float>)master.Slice(i, 8)), grad, factors, i, lr, momentum, beta);
                update.CopyTo(master.Slice(i, 8));
            }
        }

        for (; i <= master.Length - 4; i += 4)
        {
            var update = Update(Vector128.Create((ReadOnlySpan<float>)master.Slice(i, 4)), grad, factors, i, lr, momentum, beta);
            update.CopyTo(master.Slice(i, 4));
        }

        for (; i < master.Length; i++)
        {
            master[i] -= lr * ScalarStep(grad, factors, i, momentum, beta);
        }
    }

    // w - lr * g for lanes [i, i + count): g scaled by the run's factors, then through the momentum.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Update(
        Vector256<float> weight, ReadOnlySpan<float> grad, ReadOnlySpan<float> factors, int i, float lr, Span<float> momentum, float beta)
    {
        var g = Vector256.Create(grad.Slice(i, 8));
        if (factors.Length == 1)
        {
            g *= Vector256.Create(factors[0]);
        }
        else if (!factors.IsEmpty)
        {
            g *= Vector256.Create(factors.Slice(i, 8));
        }

        if (!momentum.IsEmpty)
        {
            g = Vector256.Create(beta) * Vector256.Create((ReadOnlySpan<float>)momentum.Slice(i, 8)) + g;
            g.CopyTo(momentum.Slice(i, 8));
        }

        return weight - Vector256.Create(lr) * g;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Update(
        Vector128<float> weight, ReadOnlySpan<float> grad, ReadOnlySpan<float> factors, int i, float lr, Span<float> momentum, float beta)
    {
        var g = Vector128.Create(grad.Slice(i, 4));
        if (factors.Length == 1)
        {
            g *= Vector128.Create(factors[0]);
        }
        else if (!factors.IsEmpty)
        {
            g *= Vector128.Create(factors.Slice(i, 4));
        }

        if (!momentum.IsEmpty)
        {
            g = Vector128.Create(beta) * Vector128.Create((ReadOnlySpan<float>)momentum.Slice(i, 4)) + g;
            g.CopyTo(momentum.Slice(i, 4));
        }

        return weight - Vector128.Create(lr) * g;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Update(
        Vector512<float> weight, ReadOnlySpan<float> grad, ReadOnlySpan<float> factors, int i, float lr, Span<float> momentum, float beta)
    {
        var g = Vector512.Create(grad.Slice(i, 16));
        if (factors.Length == 1)
        {
            g *= Vector512.Create(factors[0]);
        }
        else if (!factors.IsEmpty)
        {
            g *= Vector512.Create(factors.Slice(i, 16));
        }

        if (!momentum.IsEmpty)
        {
            g = Vector512.Create(beta) * Vector512.Create((ReadOnlySpan<float>)momentum.Slice(i, 16)) + g;
            g.CopyTo(momentum.Slice(i, 16));
        }

        return weight - Vector512.Create(lr) * g;
    }

    /// <summary><see cref="Step"/> within a run (factor broadcast or per element).</summary>
    private static float ScalarStep(ReadOnlySpan<float> grad, ReadOnlySpan<float> factors, int i, Span<float> momentum, float beta)
    {
        float g = grad[i];
        if (!factors.IsEmpty)
        {
            g *= factors[factors.Length == 1 ? 0 : i];
        }

        if (!momentum.IsEmpty)
        {
            g = beta * momentum[i] + g;
            momentum[i] = g;
        }

        return g;
    }

    // Lane-wise RoundToInt8; a NaN lane keeps its old weight (in int8 range, so the narrowing is exact).
    private static Vector256<int> RoundToInt8(Vector256<float> updated, Vector256<int> old)
    {
        var clamped = Vector256.Min(Vector256.Max(updated, Vector256.Create(-127f)), Vector256.Create(127f));
        var rounded = Vector256.ConvertToInt32(Vector256.Round(clamped));
        return Vector256.ConditionalSelect(Vector256.Equals(updated, updated).AsInt32(), rounded, old);
    }

    private static Vector128<int> RoundToInt8(Vector128<float> updated, Vector128<int> old)
    {
        var clamped = Vector128.Min(Vector128.Max(updated, Vector128.Create(-127f)), Vector128.Create(127f));
        var rounded = Vector128.ConvertToInt32(Vector128.Round(clamped));
        return Vector128.ConditionalSelect(Vector128.Equals(updated, updated).AsInt32(), rounded, old);
    }
}
