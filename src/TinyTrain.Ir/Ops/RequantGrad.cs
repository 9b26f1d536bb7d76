using System.Collections.Immutable;

namespace TinyTrain.Ir;

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

/// <summary>Operands: the output's gradient and the optional clamp mask.</summary>
public sealed class RequantGradOp : Op
{
    public override string Name => "RequantGrad";
    public override int Arity => 2;
    public override bool IsBackward => true;

    public override TensorType InferType(OpAttrs attrs, Operands x, QuantParams? quant)
    {
        var g = x.Gradient(0);
        var scales = ((RequantGradAttrs)attrs).Scales;
        x.Expect(scales.Length == 1 || scales.Length == g.Shape[-1], $"{scales.Length} scales for {g.Shape[-1]} channels");
        return new TensorType(DType.Float32, g.Shape);
    }
}

public static partial class Ops
{
    public static readonly RequantGradOp RequantGrad = new();
}
