using System.Collections.Immutable;

namespace TinyTrain.Ir;

/// <summary>real = scale * (q - zero point): int8 to float32 (features into an fp32 head, logits into the loss).</summary>
public sealed record DequantizeAttrs : OpAttrs;

/// <summary>Log-softmax + negative log-likelihood of fp32 logits [1, N] and an int32 label [1]; output loss [1].</summary>
public sealed record SoftmaxCrossEntropyAttrs : OpAttrs;

/// <summary>The 1-bit mask of a clamped op (conv-like or add): 1 where the pre-clamp value was inside the clamp range.</summary>
public sealed record ClampMaskAttrs : OpAttrs;

/// <summary>
/// Gradient through a requantisation: g_acc = g_y * mask * Scales[c] (c = innermost index; one scale = per tensor).
/// With no mask operand it is a plain per-channel scaling (e.g. through a dequantisation).
/// </summary>
public sealed record RequantGradAttrs(ImmutableArray<float> Scales) : OpAttrs
{
    public bool Equals(RequantGradAttrs? other) => other is not null && Scales.AsSpan().SequenceEqual(other.Scales.AsSpan());
    public override int GetHashCode() => HashCode.Combine(Scales.Length, Scales.IsEmpty ? 0f : Scales[0]);
    public override string ToString() => Scales.Length == 1 ? $"scale {Scales[0]:G6}" : $"scales x{Scales.Length}";
}

/// <summary>
/// Gradient of a conv-like op with respect to its input, or to a subset of its filter's input channels.
/// <see cref="Forward"/> is the forward op (geometry and shapes); <see cref="Channels"/> lists the trained input
/// channels in ascending order (depthwise: channels), empty for an input gradient.
/// </summary>
public sealed record ConvGradAttrs(Node Forward, ImmutableArray<int> Channels) : OpAttrs
{
    public bool Equals(ConvGradAttrs? other) =>
        other is not null && ReferenceEquals(Forward, other.Forward) && Channels.AsSpan().SequenceEqual(other.Channels.AsSpan());

    public override int GetHashCode() => HashCode.Combine(Forward.Name, Channels.Length);
    public override string ToString() => Channels.IsEmpty ? $"of {Forward.Name}" : $"of {Forward.Name}, {Channels.Length} channels";
}

/// <summary>Gradient of an average pool with respect to its input (each output's gradient spread over its window).</summary>
public sealed record PoolGradAttrs(Node Forward) : OpAttrs
{
    public bool Equals(PoolGradAttrs? other) => other is not null && ReferenceEquals(Forward, other.Forward);
    public override int GetHashCode() => Forward.Name.GetHashCode();
    public override string ToString() => $"of {Forward.Name}";
}

/// <summary>How a trained int8 parameter is updated (design.md §3): in place (the device) or via fp32 master copies.</summary>
public enum UpdatePolicy
{
    Device,
    Master,
}

/// <summary>
/// SGD step of one parameter slice: operands are the parameter (a constant) and its gradient. The output is the
/// updated parameter (same type), i.e. the op writes the parameter's storage. <see cref="Qas"/> holds the
/// quantisation-aware scaling factor of each output channel (1/s_w^2 for weights, 1/(s_w s_x)^2 for biases;
/// all ones when QAS is off); <see cref="Channels"/> the trained input channels of a weight (empty for a bias).
/// </summary>
public sealed record SgdUpdateAttrs(ImmutableArray<float> Qas, ImmutableArray<int> Channels, UpdatePolicy Policy) : OpAttrs
{
    public bool Equals(SgdUpdateAttrs? other) =>
        other is not null && Policy == other.Policy && Qas.AsSpan().SequenceEqual(other.Qas.AsSpan()) && Channels.AsSpan().SequenceEqual(other.Channels.AsSpan());

    public override int GetHashCode() => HashCode.Combine(Qas.Length, Channels.Length, Policy);
    public override string ToString() => $"{Policy.ToString().ToLowerInvariant()}, qas x{Qas.Length}" + (Channels.IsEmpty ? "" : $", {Channels.Length} channels");
}
