using TinyTrain.Compiler.Lowering;
using TinyTrain.Ir;
using TinyTrain.Kernels;

namespace TinyTrain.Compiler.Lowered;

public sealed record AveragePool2DCall(string Name, PoolParams Params, int Input, int Output) : UnaryCall(Name, Input, Output)
{
    public override void Run(IKernelHost h) => AveragePool2D.Forward(Params, h.SBytes(Input), h.WritableSBytes(Output));
    public override string C(ICallEmitter c) => $"tt_average_pool2d_forward({c.Params(Params)}, {c.Tensor(Input)}, {c.Tensor(Output)});";
}

public sealed record FloatAveragePool2DCall(string Name, PoolParams Params, int Input, int Output) : UnaryCall(Name, Input, Output)
{
    public override void Run(IKernelHost h) => AveragePool2D.ForwardFloat(Params, h.Floats(Input), h.WritableFloats(Output));
    public override string C(ICallEmitter c) => $"tt_average_pool2d_forward_float({c.Params(Params)}, {c.Tensor(Input)}, {c.Tensor(Output)});";
}

public sealed record AveragePool2DGradCall(string Name, PoolParams Params, int Gradient, int Output) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [Gradient];
    public override IEnumerable<int> Writes => [Output];
    public override void Run(IKernelHost h) => h.Kernels.AveragePool2DBackward(Params, h.Floats(Gradient), h.WritableFloats(Output));
    public override string C(ICallEmitter c) => $"tt_average_pool2d_backward({c.Params(Params)}, {c.Tensor(Gradient)}, {c.Tensor(Output)});";
}

/// <summary>How AveragePool2D and its gradient become calls, and their kernel parameters.</summary>
internal static class AveragePool2DLowering
{
    public static PoolParams Params(Node node) => Params(node.AttrsAs<AveragePool2DAttrs>(), node.Input(0).Shape, node.Shape);

    private static PoolParams Params(AveragePool2DAttrs a, Shape x, Shape y)
    {
        return new PoolParams(x[1], x[2], x[3], y[1], y[2], a.FilterH, a.FilterW,
            a.StrideH, a.StrideW, a.Padding.Top, a.Padding.Left, a.Clamp.Min, a.Clamp.Max,
            a.Rounding == AverageRounding.HalfToEven ? PoolRounding.HalfToEven : PoolRounding.HalfAwayFromZero);
    }

    [Lowers(nameof(Ops.AveragePool2D))]
    private static void LowerForward(ProgramLowering l, Node n) => l.Add(n.Type.DType == DType.Float32
        ? new FloatAveragePool2DCall(n.Name, Params(n), l.Operand(n, 0), l.NewTensor(n))
        : new AveragePool2DCall(n.Name, Params(n), l.Operand(n, 0), l.NewTensor(n)));

    [Lowers(nameof(Ops.AveragePool2DGrad))]
    private static void LowerGrad(ProgramLowering l, Node n)
    {
        var a = n.AttrsAs<PoolGradAttrs>();
        l.Add(new AveragePool2DGradCall(n.Name, Params((AveragePool2DAttrs)a.Attrs, a.Input.Shape, a.Output.Shape), l.Operand(n, 0), l.NewTensor(n)));
    }
}
