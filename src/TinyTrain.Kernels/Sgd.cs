namespace TinyTrain.Kernels;

/// <summary>
/// SGD weight updates (paper-notes §2.3-2.4), float32 operations in a fixed order, each rounded once (no fused
/// multiply-add), so the host and the emitted C agree bit for bit. For element i:
///   g = grad[i] * qas[c]            (quantisation-aware scaling; qas empty: no scaling)
///   v = beta * v[i] + g; g = v      (only with momentum, i.e. a non-empty momentum span)
///   w = w - lr * g
/// QAS factors are per output channel: 1 / s_w[c]^2 for weights, 1 / (s_w[c] * s_x)^2 for biases. For a weight
/// tensor, element i belongs to channel c = (i / channelStride) % qas.Length: channelStride = KH * KW * k for an
/// OHWI slice [OC, KH, KW, k] or [O, k] (c = i / channelStride), and 1 for a depthwise slice [KH, KW, k] whose
/// channel is the last axis (c = i % k).
/// Two update policies (design §3): <c>device</c> updates the int8/int32 values in place with no master copy
/// (<see cref="UpdateInt8Weights"/>, <see cref="UpdateInt32Bias"/>); <c>master</c> keeps fp32 master copies
/// (<see cref="UpdateMaster"/>) and rounds them into the integer tensors (<see cref="RoundMasterToInt8"/>).
/// </summary>
public static partial class Sgd
{
    /// <summary>
    /// The device policy: w = clamp(round_half_even(w - lr * g), -127, 127) in place (-128 is never produced: the
    /// weights are symmetric). An update smaller than half an LSB is lost (as on the MCU, which keeps no master
    /// copy); a NaN result leaves the weight unchanged.
    /// </summary>
    public static void UpdateInt8Weights(
        Span<sbyte> weights, ReadOnlySpan<float> grad, ReadOnlySpan<float> qas, int channelStride, float lr, Span<float> momentum, float beta)
    {
        if (VectorWidths.UseVectorized)
        {
            UpdateInt8WeightsVectorized(weights, grad, qas, channelStride, lr, momentum, beta);
        }
        else
        {
            UpdateInt8WeightsReference(weights, grad, qas, channelStride, lr, momentum, beta);
        }
    }

    /// <summary>The spec of <see cref="UpdateInt8Weights"/>: one element at a time.</summary>
    public static void UpdateInt8WeightsReference(
        Span<sbyte> weights, ReadOnlySpan<float> grad, ReadOnlySpan<float> qas, int channelStride, float lr, Span<float> momentum, float beta)
    {
        Validate(weights.Length, grad, qas, channelStride, momentum, nameof(weights));
        for (int i = 0; i < weights.Length; i++)
        {
            float step = Step(grad, qas, channelStride, momentum, beta, i);
            float updated = (float)weights[i] - lr * step;
            if (!float.IsNaN(updated))
            {
                weights[i] = RoundToInt8(updated);
            }
        }
    }

    /// <summary>
    /// The device policy for an int32 bias (one QAS factor per element): b = round_half_even(b - lr * g),
    /// saturated to int32. lr * g is one float32 product; the subtraction and rounding are exact (the bias is
    /// never converted to float, so a zero step never moves it). A NaN step leaves the bias unchanged.
    /// </summary>
    public static void UpdateInt32Bias(Span<int> bias, ReadOnlySpan<float> grad, ReadOnlySpan<float> qas, float lr, Span<float> momentum, float beta)
    {
        Validate(bias.Length, grad, qas, 1, momentum, nameof(bias));
        if (!qas.IsEmpty && qas.Length != bias.Length)
        {
            throw new ArgumentException($"qas has {qas.Length} entries, expected 0 or {bias.Length}", nameof(qas));
        }

        for (int i = 0; i < bias.Length; i++)
        {
            bias[i] = SubtractRounded(bias[i], lr * Step(grad, qas, 1, momentum, beta, i));
        }
    }

    /// <summary>The master policy: master = master - lr * g on the fp32 copy (no rounding, so small steps add up).</summary>
    public static void UpdateMaster(
        Span<float> master, ReadOnlySpan<float> grad, ReadOnlySpan<float> qas, int channelStride, float lr, Span<float> momentum, float beta)
    {
        if (VectorWidths.UseVectorized)
        {
            UpdateMasterVectorized(master, grad, qas, channelStride, lr, momentum, beta);
        }
        else
        {
            UpdateMasterReference(master, grad, qas, channelStride, lr, momentum, beta);
        }
    }

    /// <summary>The spec of <see cref="UpdateMaster"/>.</summary>
    public static void UpdateMasterReference(
        Span<float> master, ReadOnlySpan<float> grad, ReadOnlySpan<float> qas, int channelStride, float lr, Span<float> momentum, float beta)
    {
        Validate(master.Length, grad, qas, channelStride, momentum, nameof(master));
        for (int i = 0; i < master.Length; i++)
        {
            master[i] -= lr * Step(grad, qas, channelStride, momentum, beta, i);
        }
    }

    /// <summary>The fp32 baseline: w = w - lr * g (with momentum if given), no QAS.</summary>
    public static void UpdateFloat(Span<float> weights, ReadOnlySpan<float> grad, float lr, Span<float> momentum, float beta) =>
        UpdateMaster(weights, grad, ReadOnlySpan<float>.Empty, 1, lr, momentum, beta);

    /// <summary>The master policy's int8 weights: clamp(round_half_even(master), -127, 127); NaN gives 0.</summary>
    public static void RoundMasterToInt8(ReadOnlySpan<float> master, Span<sbyte> weights)
    {
        Check.Length(weights, master.Length, nameof(weights));
        for (int i = 0; i < master.Length; i++)
        {
            weights[i] = float.IsNaN(master[i]) ? (sbyte)0 : RoundToInt8(master[i]);
        }
    }

    /// <summary>The master policy's int32 bias: round_half_even(master) saturated to int32; NaN gives 0.</summary>
    public static void RoundMasterToInt32(ReadOnlySpan<float> master, Span<int> bias)
    {
        Check.Length(bias, master.Length, nameof(bias));
        for (int i = 0; i < master.Length; i++)
        {
            float value = master[i];
            bias[i] = float.IsNaN(value) ? 0
                : value >= 2147483648f ? int.MaxValue
                : value < -2147483648f ? int.MinValue
                : (int)MathF.Round(value);
        }
    }

    /// <summary>The scaled (and with momentum, accumulated) gradient of element i; updates the momentum.</summary>
    private static float Step(ReadOnlySpan<float> grad, ReadOnlySpan<float> qas, int channelStride, Span<float> momentum, float beta, int i)
    {
        float g = grad[i];
        if (!qas.IsEmpty)
        {
            g *= qas[i / channelStride % qas.Length];
        }

        if (!momentum.IsEmpty)
        {
            g = beta * momentum[i] + g;
            momentum[i] = g;
        }

        return g;
    }

    /// <summary>clamp(round_half_even(value), -127, 127) for a value that is not NaN (clamping first keeps the cast defined).</summary>
    internal static sbyte RoundToInt8(float value) => (sbyte)MathF.Round(Math.Clamp(value, -127f, 127f));

    /// <summary>
    /// round_half_even(b - step) saturated to int32, exactly: with f = floor(step), b - step = (b - f) - (step - f),
    /// and step - f &lt; 1/2, = 1/2, &gt; 1/2 is step &lt;, =, &gt; f + 1/2, exact in float32 while |step| &lt; 2^23
    /// (beyond that step is an integer).
    /// </summary>
    internal static int SubtractRounded(int b, float step)
    {
        if (float.IsNaN(step))
        {
            return b;
        }

        step = Math.Clamp(step, -(float)(1L << 40), (float)(1L << 40)); // beyond +-2^33 the result saturates anyway
        float floor = MathF.Floor(step);
        long result = (long)b - (long)floor;
        if (MathF.Abs(step) < 1 << 23)
        {
            float half = floor + 0.5f;
            if (step > half || (step == half && (result & 1) != 0))
            {
                result--;
            }
        }

        return (int)Math.Clamp(result, int.MinValue, int.MaxValue);
    }

    private static void Validate(int length, ReadOnlySpan<float> grad, ReadOnlySpan<float> qas, int channelStride, ReadOnlySpan<float> momentum, string name)
    {
        Check.Positive(channelStride, nameof(channelStride));
        Check.Length(grad, length, nameof(grad));
        if (!momentum.IsEmpty)
        {
            Check.Length(momentum, length, nameof(momentum));
        }

        if (!qas.IsEmpty && length % ((long)channelStride * qas.Length) != 0)
        {
            throw new ArgumentException(
                $"{name} has {length} elements, not a whole number of {qas.Length} channels of stride {channelStride}", nameof(qas));
        }
    }
}
