using TinyTrain.Compiler.Lowering;
using TinyTrain.Ir;
using TinyTrain.Kernels;

namespace TinyTrain.Compiler.Lowered;

/// <summary>8-bit requantisation (TFLite Micro's Requantize): int8 or uint8 in and out.</summary>
public sealed record QuantizeCall(string Name, QuantizeParams Params, int Input, int Output) : UnaryCall(Name, Input, Output)
{
    public override void Run(IKernelHost h) => Quantize.Forward(Params, h.Bytes(Input), h.WritableBytes(Output));

    public override string C(ICallEmitter c) =>
        $"tt_quantize_forward({c.Tensor(Input)}, {c.Tensor(Output)}, {Params.Length}, {Flag(Params.InputSigned)}, {Flag(Params.OutputSigned)}, " +
        $"{CLiterals.Int(Params.InputZeroPoint)}, {CLiterals.Int(Params.OutputZeroPoint)}, {CLiterals.Int(Params.Multiplier)}, {CLiterals.Int(Params.Shift)});";

    private static int Flag(bool value) => value ? 1 : 0;
}

/// <summary>How Quantize becomes a call, and its kernel parameters.</summary>
internal static class QuantizeLowering
{
    public static QuantizeParams Params(Node node)
    {
        var (x, y) = (node.Input(0), node);
        return QuantizeParams.Create((int)x.Shape.Elements, x.Type.DType == DType.Int8, x.Quant!.Scale, x.Quant.ZeroPoint,
            y.Type.DType == DType.Int8, y.Quant!.Scale, y.Quant.ZeroPoint);
    }

    [Lowers(nameof(Ops.Quantize))]
    private static void LowerForward(ProgramLowering l, Node n) => l.Add(new QuantizeCall(n.Name, Params(n), l.Operand(n, 0), l.NewTensor(n)));
}
