using TinyTrain.Compiler.Lowering;
using TinyTrain.Ir;
using TinyTrain.Kernels;

namespace TinyTrain.Compiler.Lowered;

public sealed record SoftmaxCall(string Name, SoftmaxParams Params, int Input, int Output) : UnaryCall(Name, Input, Output)
{
    public override void Run(IKernelHost h) => Softmax.Forward(Params, h.SBytes(Input), h.WritableSBytes(Output));
    public override string C(ICallEmitter c) => $"tt_softmax_forward({c.Params(Params)}, {c.Tensor(Input)}, {c.Tensor(Output)});";
}

/// <summary>How Softmax becomes a call, and its kernel parameters.</summary>
internal static class SoftmaxLowering
{
    public static SoftmaxParams Params(Node node)
    {
        var x = node.Input(0);
        var depth = x.Shape[-1];
        return Softmax.Prepare((int)(x.Shape.Elements / depth), depth, node.AttrsAs<SoftmaxAttrs>().Beta, (float)x.Quant!.Scale);
    }

    [Lowers(nameof(Ops.Softmax))]
    private static void LowerForward(ProgramLowering l, Node n) => l.Add(new SoftmaxCall(n.Name, Params(n), l.Operand(n, 0), l.NewTensor(n)));
}
