using System.Collections.Immutable;

namespace TinyTrain.Ir;

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

public sealed class SgdUpdateOp : Op
{
    public override string Name => "SgdUpdate";
    public override int Arity => 2;
    public override bool IsBackward => true;
    public override GradientRole Role => GradientRole.Update;

    public override TensorType InferType(OpAttrs attrs, Operands x, QuantParams? quant)
    {
        var parameter = x[0];
        x.Expect(parameter.Op == Ops.Constant, $"{parameter.Name} is not a parameter");
        x.Gradient(1);
        return parameter.Type;
    }
}

public static partial class Ops
{
    public static readonly SgdUpdateOp SgdUpdate = new();
}
