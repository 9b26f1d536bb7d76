using TinyTrain.Compiler.Lowering;
using TinyTrain.Ir;
using TinyTrain.Kernels;

namespace TinyTrain.Compiler.Lowered;

public sealed record PadCall(string Name, PadParams Params, int Input, int Output) : UnaryCall(Name, Input, Output)
{
    public override void Run(IKernelHost h) => Pad.Forward(Params, h.SBytes(Input), h.WritableSBytes(Output));
    public override string C(ICallEmitter c) => $"tt_pad_forward({c.Params(Params)}, {c.Tensor(Input)}, {c.Tensor(Output)});";
}

/// <summary>The fp32 mode's pad, with real 0.</summary>
public sealed record FloatPadCall(string Name, PadParams Params, int Input, int Output) : UnaryCall(Name, Input, Output)
{
    public override void Run(IKernelHost h) => Pad.ForwardFloat(Params, h.Floats(Input), h.WritableFloats(Output));
    public override string C(ICallEmitter c) => $"tt_pad_forward_float({c.Params(Params)}, {c.Tensor(Input)}, {c.Tensor(Output)});";
}

/// <summary>The pad's input gradient: the output gradient's interior.</summary>
public sealed record PadGradCall(string Name, PadParams Params, int Gradient, int Output) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [Gradient];
    public override IEnumerable<int> Writes => [Output];
    public override void Run(IKernelHost h) => Pad.Backward(Params, h.Floats(Gradient), h.WritableFloats(Output));
    public override string C(ICallEmitter c) => $"tt_pad_backward({c.Params(Params)}, {c.Tensor(Gradient)}, {c.Tensor(Output)});";
}

/// <summary>How Pad and its gradient become calls, and their kernel parameters.</summary>
internal static class PadLowering
{
    /// <summary>The pad's parameters from its attributes and its input's shape (an fp32 pad's value is 0).</summary>
    public static PadParams Params(PadAttrs a, Shape input, int padValue)
    {
        var p = a.Spatial;
        return new PadParams(input[1], input[2], input[3], p.Top, p.Bottom, p.Left, p.Right, a.ChannelsBefore, a.ChannelsAfter, (sbyte)padValue);
    }

    [Lowers(nameof(Ops.Pad))]
    private static void LowerForward(ProgramLowering l, Node n)
    {
        var a = n.AttrsAs<PadAttrs>();
        l.Add(n.Type.DType == DType.Float32
            ? new FloatPadCall(n.Name, Params(a, n.Input(0).Shape, 0), l.Operand(n, 0), l.NewTensor(n))
            : new PadCall(n.Name, Params(a, n.Input(0).Shape, n.Quant!.ZeroPoint), l.Operand(n, 0), l.NewTensor(n)));
    }

    [Lowers(nameof(Ops.PadGrad))]
    private static void LowerGrad(ProgramLowering l, Node n) =>
        l.Add(new PadGradCall(n.Name, Params(n.AttrsAs<PadAttrs>(), n.Shape, 0), l.Operand(n, 0), l.NewTensor(n)));
}
