using TinyTrain.Kernels;

namespace TinyTrain.Compiler.Lowered;

/// <summary>int8 max pool (TFLite Micro's reference MaxPool).</summary>
public sealed record MaxPool2DCall(string Name, PoolParams Params, int Input, int Output) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [Input];
    public override IEnumerable<int> Writes => [Output];
    public override void Run(IKernelHost h) => MaxPool2D.Forward(Params, h.SBytes(Input), h.WritableSBytes(Output));
    public override string C(ICallEmitter c) => $"tt_max_pool2d_forward({c.Params(Params)}, {c.Tensor(Input)}, {c.Tensor(Output)});";
}

/// <summary>The fp32 mode's max pool, clamped to [Min, Max] (the int8 clamp in real values).</summary>
public sealed record FloatMaxPool2DCall(string Name, PoolParams Params, int Input, int Output, float Min, float Max) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [Input];
    public override IEnumerable<int> Writes => [Output];
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
