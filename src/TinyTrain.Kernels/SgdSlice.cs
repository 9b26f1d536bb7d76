namespace TinyTrain.Kernels;

/// <summary>
/// Where a parameter slice's gradient lands. The gradient holds `Channels.Length` trained positions of the
/// parameter's innermost axis (`Inner` wide) per outer row: gradient element e updates parameter element
/// (e / k) * Inner + Channels[e % k]. Its QAS factor is qas[e / QasStride], or qas[Channels[e % k]] when QasStride
/// is 0 (a depthwise filter, whose innermost axis is the channel). A bias is Inner = 1, Channels = [0], QasStride 1.
/// </summary>
public readonly record struct SliceLayout(int Inner, int[] Channels, int QasStride)
{
    /// <summary>A whole vector (a bias): element e is parameter e with factor e.</summary>
    public static SliceLayout Vector => new(1, [0], 1);

    public int ParameterIndex(int e) => e / Channels.Length * Inner + Channels[e % Channels.Length];

    public int QasIndex(int e) => QasStride > 0 ? e / QasStride : Channels[e % Channels.Length];
}

/// <summary>
/// SGD updates (paper-notes §2.3-2.4) of a parameter slice whose gradient covers only some positions (see
/// <see cref="SliceLayout"/>), float32 operations in a fixed order, each rounded once (no fused multiply-add), so the
/// host and the emitted C agree bit for bit. For gradient element e of parameter element i:
///   g = grad[e] * qas[c]            (quantisation-aware scaling: 1 / s_w[c]^2 for weights, 1 / (s_w[c] * s_x)^2 for biases)
///   v = beta * v[e] + g; g = v      (only with a non-empty velocity)
///   w[i] = w[i] - lr * g            (rounded as <see cref="Sgd"/> says: NaN leaves an int8 weight unchanged, int32 biases exactly)
/// </summary>
public static class SgdSlice
{
    public static void UpdateInt8(Span<sbyte> weights, ReadOnlySpan<float> grad, ReadOnlySpan<float> qas, SliceLayout layout, float lr, Span<float> velocity, float beta)
    {
        Validate(grad, velocity);
        for (var e = 0; e < grad.Length; e++)
        {
            var i = layout.ParameterIndex(e);
            var updated = weights[i] - lr * Step(grad, qas, layout, velocity, beta, e);
            if (!float.IsNaN(updated)) weights[i] = Sgd.RoundToInt8(updated);
        }
    }

    public static void UpdateInt32(Span<int> bias, ReadOnlySpan<float> grad, ReadOnlySpan<float> qas, SliceLayout layout, float lr, Span<float> velocity, float beta)
    {
        Validate(grad, velocity);
        for (var e = 0; e < grad.Length; e++)
        {
            var i = layout.ParameterIndex(e);
            bias[i] = Sgd.SubtractRounded(bias[i], lr * Step(grad, qas, layout, velocity, beta, e));
        }
    }

    /// <summary>The master policy: the fp32 copy takes the step, the integer parameter is its rounding.</summary>
    public static void UpdateMaster(Span<float> master, ReadOnlySpan<float> grad, ReadOnlySpan<float> qas, SliceLayout layout, float lr, Span<float> velocity, float beta)
    {
        Validate(grad, velocity);
        for (var e = 0; e < grad.Length; e++)
        {
            var i = layout.ParameterIndex(e);
            master[i] = master[i] - lr * Step(grad, qas, layout, velocity, beta, e);
        }
    }

    public static void RoundToInt8(ReadOnlySpan<float> master, Span<sbyte> weights, SliceLayout layout, int gradLength)
    {
        for (var e = 0; e < gradLength; e++)
        {
            var i = layout.ParameterIndex(e);
            Sgd.RoundMasterToInt8(master.Slice(i, 1), weights.Slice(i, 1));
        }
    }

    public static void RoundToInt32(ReadOnlySpan<float> master, Span<int> bias, SliceLayout layout, int gradLength)
    {
        for (var e = 0; e < gradLength; e++)
        {
            var i = layout.ParameterIndex(e);
            Sgd.RoundMasterToInt32(master.Slice(i, 1), bias.Slice(i, 1));
        }
    }

    public static void UpdateFloat(Span<float> weights, ReadOnlySpan<float> grad, ReadOnlySpan<float> qas, SliceLayout layout, float lr, Span<float> velocity, float beta)
    {
        Validate(grad, velocity);
        for (var e = 0; e < grad.Length; e++)
        {
            var i = layout.ParameterIndex(e);
            weights[i] = weights[i] - lr * Step(grad, qas, layout, velocity, beta, e);
        }
    }

    /// <summary>grad * qas, then with momentum v = beta * v + step.</summary>
    private static float Step(ReadOnlySpan<float> grad, ReadOnlySpan<float> qas, SliceLayout layout, Span<float> velocity, float beta, int e)
    {
        var step = grad[e] * qas[layout.QasIndex(e)];
        if (velocity.IsEmpty) return step;
        step = beta * velocity[e] + step;
        velocity[e] = step;
        return step;
    }

    private static void Validate(ReadOnlySpan<float> grad, Span<float> velocity)
    {
        if (!velocity.IsEmpty && velocity.Length != grad.Length)
            throw new ArgumentException($"velocity has {velocity.Length} values for {grad.Length} gradients");
    }
}
