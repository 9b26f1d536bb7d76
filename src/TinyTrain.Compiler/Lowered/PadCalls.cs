using TinyTrain.Compiler.Lowering;
using TinyTrain.Ir;
using TinyTrain.Kernels;

namespace TinyTrain.Compiler.Lowered;

public sealed record PadCall(string Name, PadParams Params, int Input, int Output) : UnaryCall(Name, Input, Output)
{
    public override void Run(IKernelHost h) => Pad.Forward(Params, h.SBytes(Input), h.WritableSBytes(Output));
    public override string C(ICallEmitter c) => $"tt_pad_forward({c.Params(Params)}, {c.Tensor(Input)}, {c.Tensor(Output)});";
}

/// <summary>How Pad becomes a call, and its kernel parameters.</summary>
internal static class PadLowering
{
    public static PadParams Params(Node node)
    {
        var a = node.AttrsAs<PadAttrs>();
        var x = node.Input(0);
        var p = a.Spatial;
        return new PadParams(x.Shape[1], x.Shape[2], x.Shape[3], p.Top, p.Bottom, p.Left, p.Right,
            a.ChannelsBefore, a.ChannelsAfter, (sbyte)node.Quant!.ZeroPoint);
    }

    [Lowers(nameof(Ops.Pad))]
    private static void LowerForward(ProgramLowering l, Node n) => l.Add(new PadCall(n.Name, Params(n), l.Operand(n, 0), l.NewTensor(n)));
}
