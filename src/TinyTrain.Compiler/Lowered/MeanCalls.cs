using TinyTrain.Compiler.Lowering;
using TinyTrain.Ir;
using TinyTrain.Kernels;

namespace TinyTrain.Compiler.Lowered;

public sealed record MeanCall(string Name, MeanParams Params, int Input, int Output) : UnaryCall(Name, Input, Output)
{
    public override void Run(IKernelHost h) => Mean.Forward(Params, h.SBytes(Input), h.WritableSBytes(Output));
    public override string C(ICallEmitter c) => $"tt_mean_forward({c.Params(Params)}, {c.Tensor(Input)}, {c.Tensor(Output)});";
}

/// <summary>The fp32 mode's mean over an H x W x C map.</summary>
public sealed record FloatMeanCall(string Name, int H, int W, int Channels, int Input, int Output) : UnaryCall(Name, Input, Output)
{
    public override void Run(IKernelHost h) => Mean.ForwardFloat(H, W, Channels, h.Floats(Input), h.WritableFloats(Output));
    public override string C(ICallEmitter c) => $"tt_mean_forward_float({H}, {W}, {Channels}, {c.Tensor(Input)}, {c.Tensor(Output)});";
}

/// <summary>The mean's input gradient: each of the Positions gets gradient[c] * Scale.</summary>
public sealed record MeanGradCall(string Name, int Positions, int Channels, float Scale, int Gradient, int Output) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [Gradient];
    public override IEnumerable<int> Writes => [Output];
    public override void Run(IKernelHost h) => Mean.Backward(Positions, Channels, Scale, h.Floats(Gradient), h.WritableFloats(Output));

    public override string C(ICallEmitter c) =>
        $"tt_mean_backward({Positions}, {Channels}, {CLiterals.Float(Scale)}, {c.Tensor(Gradient)}, {c.Tensor(Output)});";
}

/// <summary>How Mean and its gradient become calls, and the mean's kernel parameters.</summary>
internal static class MeanLowering
{
    public static MeanParams Params(Node node)
    {
        var (x, y) = (node.Input(0), node);
        return Mean.Create(x.Shape[1], x.Shape[2], x.Shape[3], (float)x.Quant!.Scale, x.Quant.ZeroPoint, (float)y.Quant!.Scale, y.Quant.ZeroPoint);
    }

    [Lowers(nameof(Ops.Mean))]
    private static void LowerForward(ProgramLowering l, Node n)
    {
        var x = n.Input(0);
        l.Add(n.Type.DType == DType.Float32
            ? new FloatMeanCall(n.Name, x.Shape[1], x.Shape[2], x.Shape[3], l.Operand(n, 0), l.NewTensor(n))
            : new MeanCall(n.Name, Params(n), l.Operand(n, 0), l.NewTensor(n)));
    }

    [Lowers(nameof(Ops.MeanGrad))]
    private static void LowerGrad(ProgramLowering l, Node n)
    {
        var a = n.AttrsAs<MeanGradAttrs>();
        l.Add(new MeanGradCall(n.Name, a.H * a.W, n.Shape[-1], a.Scale, l.Operand(n, 0), l.NewTensor(n)));
    }
}
