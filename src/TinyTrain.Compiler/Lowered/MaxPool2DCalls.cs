using TinyTrain.Compiler.Lowering;
using TinyTrain.Ir;
using TinyTrain.Kernels;

namespace TinyTrain.Compiler.Lowered;

/// <summary>int8 max pool (TFLite Micro's reference MaxPool).</summary>
public sealed record MaxPool2DCall(string Name, PoolParams Params, int Input, int Output) : UnaryCall(Name, Input, Output)
{
    public override void Run(IKernelHost h) => MaxPool2D.Forward(Params, h.SBytes(Input), h.WritableSBytes(Output));
    public override string C(ICallEmitter c) => $"tt_max_pool2d_forward({c.Params(Params)}, {c.Tensor(Input)}, {c.Tensor(Output)});";
}

/// <summary>The fp32 mode's max pool, clamped to [Min, Max] (the int8 clamp in real values).</summary>
public sealed record FloatMaxPool2DCall(string Name, PoolParams Params, int Input, int Output, float Min, float Max) : UnaryCall(Name, Input, Output)
{
    public override void Run(IKernelHost h) => MaxPool2D.ForwardFloat(Params, h.Floats(Input), h.WritableFloats(Output), Min, Max);

    public override string C(ICallEmitter c) =>
        $"tt_max_pool2d_forward_float({c.Params(Params)}, {c.Tensor(Input)}, {c.Tensor(Output)}, {CLiterals.Float(Min)}, {CLiterals.Float(Max)});";
}

/// <summary>
/// The max pool's input gradient from its output gradient and the forward input (int8, or fp32 with
/// <see cref="Float"/>, whose clamp is [Min, Max]): each output's gradient goes to its window's first max.
/// </summary>
public sealed record MaxPool2DGradCall(string Name, PoolParams Params, int Gradient, int Input, int Output, bool Float, float Min, float Max) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [Gradient, Input];
    public override IEnumerable<int> Writes => [Output];

    public override void Run(IKernelHost h)
    {
        if (Float) MaxPool2D.BackwardFloat(Params, h.Floats(Input), h.Floats(Gradient), h.WritableFloats(Output), Min, Max);
        else MaxPool2D.Backward(Params, h.SBytes(Input), h.Floats(Gradient), h.WritableFloats(Output));
    }

    public override string C(ICallEmitter c) => Float
        ? $"tt_max_pool2d_backward_float({c.Params(Params)}, {c.Tensor(Input)}, {c.Tensor(Gradient)}, {c.Tensor(Output)}, {CLiterals.Float(Min)}, {CLiterals.Float(Max)});"
        : $"tt_max_pool2d_backward({c.Params(Params)}, {c.Tensor(Input)}, {c.Tensor(Gradient)}, {c.Tensor(Output)});";
}

/// <summary>How MaxPool2D and its gradient become calls, and their kernel parameters.</summary>
internal static class MaxPool2DLowering
{
    /// <summary>A max pool's geometry and clamp (the rounding field is unused).</summary>
    public static PoolParams Params(Node node) => Params(node.AttrsAs<MaxPool2DAttrs>(), node.Input(0).Shape, node.Shape);

    private static PoolParams Params(MaxPool2DAttrs a, Shape x, Shape y)
    {
        return new PoolParams(x[1], x[2], x[3], y[1], y[2], a.FilterH, a.FilterW,
            a.StrideH, a.StrideW, a.Padding.Top, a.Padding.Left, a.Clamp.Min, a.Clamp.Max, PoolRounding.HalfAwayFromZero);
    }

    [Lowers(nameof(Ops.MaxPool2D))]
    private static void LowerForward(ProgramLowering l, Node n)
    {
        var (min, max) = ClampRange.Real(n.AttrsAs<MaxPool2DAttrs>().Clamp, n.Quant);
        l.Add(n.Type.DType == DType.Float32
            ? new FloatMaxPool2DCall(n.Name, Params(n), l.Operand(n, 0), l.NewTensor(n), min, max)
            : new MaxPool2DCall(n.Name, Params(n), l.Operand(n, 0), l.NewTensor(n)));
    }

    [Lowers(nameof(Ops.MaxPool2DGrad))]
    private static void LowerGrad(ProgramLowering l, Node n)
    {
        var a = n.AttrsAs<PoolGradAttrs>();
        var pool = (MaxPool2DAttrs)a.Attrs;
        var (min, max) = ClampRange.Real(pool.Clamp, a.Output.Quant);
        l.Add(new MaxPool2DGradCall(n.Name, Params(pool, a.Input.Shape, a.Output.Shape), l.Operand(n, 0), l.Operand(n, 1), l.NewTensor(n),
            a.Output.DType == DType.Float32, min, max));
    }
}
