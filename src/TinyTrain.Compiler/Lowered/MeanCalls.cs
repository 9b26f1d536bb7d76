using TinyTrain.Compiler.Lowering;
using TinyTrain.Ir;
using TinyTrain.Kernels;

namespace TinyTrain.Compiler.Lowered;

public sealed record MeanCall(string Name, MeanParams Params, int Input, int Output) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [Input];
    public override IEnumerable<int> Writes => [Output];
    public override void Run(IKernelHost h) => Mean.Forward(Params, h.SBytes(Input), h.WritableSBytes(Output));
    public override string C(ICallEmitter c) => $"tt_mean_forward({c.Params(Params)}, {c.Tensor(Input)}, {c.Tensor(Output)});";
}

/// <summary>How Mean becomes a call, and its kernel parameters.</summary>
internal static class MeanLowering
{
    public static MeanParams Params(Node node)
    {
        var (x, y) = (node.Input(0), node);
        return Mean.Create(x.Shape[1], x.Shape[2], x.Shape[3], (float)x.Quant!.Scale, x.Quant.ZeroPoint, (float)y.Quant!.Scale, y.Quant.ZeroPoint);
    }

    [Lowers(nameof(Ops.Mean))]
    private static void LowerForward(ProgramLowering l, Node n) => l.Add(new MeanCall(n.Name, Params(n), l.Operand(n, 0), l.NewTensor(n)));
}
