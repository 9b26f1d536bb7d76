namespace TinyTrain.Ir;

/// <summary>The output's integer type: int8 or uint8 (the output's scale and zero point are the node's quantisation).</summary>
public sealed record QuantizeAttrs(DType Output) : OpAttrs;

/// <summary>
/// Requantisation between 8-bit integer types and scales (TFLite's QUANTIZE on integer inputs, TFLite Micro's reference
/// Requantize): y = clamp(MultiplyByQuantizedMultiplier(x - x_zp, s_x / s_y) + y_zp) in the output type's range. A model
/// with uint8 inputs starts with one (every ST model-zoo classifier).
/// </summary>
public sealed class QuantizeOp : Op
{
    public override string Name => "Quantize";

    /// <summary>The operand may be uint8, so the verifier's int8 activation check does not apply; the type rule checks it.</summary>
    public override int ActivationOperands => 0;

    public override TensorType InferType(OpAttrs attrs, Operands x, QuantParams? quant)
    {
        var output = ((QuantizeAttrs)attrs).Output;
        x.Expect(x[0].Type.DType is DType.Int8 or DType.UInt8, $"quantize reads int8 or uint8, not {x[0].Type.DType.Name()}");
        x.Expect(output is DType.Int8 or DType.UInt8, $"quantize writes int8 or uint8, not {output.Name()}");
        x.Expect(x[0].Quant is { IsPerTensor: true } && quant is { IsPerTensor: true }, "quantize needs per-tensor quantisation on both sides");
        x.Expect(ZeroPointFits(x[0].Quant!.ZeroPoint, x[0].Type.DType) && ZeroPointFits(quant!.ZeroPoint, output), "a zero point is outside its type's range");
        return new TensorType(output, x[0].Shape, quant);
    }

    public override string? GradientRefusal(Node node) => null;

    /// <summary>Straight through the rounding: d y / d x = s_x / s_y (on the integers).</summary>
    public override void Differentiate(Node node, Node? gradient, IGradientBuilder g) =>
        g.Input(node.Input(0), () => g.Emit(Ops.RequantGrad, $"{node.Input(0).Name}.grad",
            new RequantGradAttrs([(float)(node.Input(0).Quant!.Scale / node.Quant!.Scale)]), gradient, null));

    private static bool ZeroPointFits(int zeroPoint, DType type) =>
        type == DType.UInt8 ? zeroPoint is >= 0 and <= 255 : zeroPoint is >= sbyte.MinValue and <= sbyte.MaxValue;
}

public static partial class Ops
{
    public static readonly QuantizeOp Quantize = new();
}
