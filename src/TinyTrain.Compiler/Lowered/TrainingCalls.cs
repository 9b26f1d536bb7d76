using System.Collections.Immutable;
using TinyTrain.Compiler.Lowering;
using TinyTrain.Ir;
using TinyTrain.Kernels;

namespace TinyTrain.Compiler.Lowered;

// Kernel calls of a training step that belong to no forward op: the loss, the gradient plumbing and the updates.
// Gradients are fp32 tensors in the arena; trained parameters and optimiser state are persistent arena tensors.

public sealed record DequantizeCall(string Name, float Scale, int ZeroPoint, int Input, int Output) : UnaryCall(Name, Input, Output)
{
    public override void Run(IKernelHost h) => SoftmaxCrossEntropy.Dequantize(h.SBytes(Input), Scale, ZeroPoint, h.WritableFloats(Output));

    public override string C(ICallEmitter c) =>
        $"tt_softmax_cross_entropy_dequantize({c.Tensor(Input)}, {c.ByteCount(Input)}, {CLiterals.Float(Scale)}, {CLiterals.Int(ZeroPoint)}, {c.Tensor(Output)});";
}

/// <summary>Log-softmax + cross-entropy: writes the loss and, when Grad >= 0, d loss / d logits.</summary>
public sealed record SoftmaxCrossEntropyCall(string Name, int Logits, int Label, int Loss, int Grad) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [Logits, Label];
    public override IEnumerable<int> Writes => Grad < 0 ? [Loss] : [Loss, Grad];

    public override void Run(IKernelHost h)
    {
        var label = h.Int32s(Label)[0];
        var logits = h.Floats(Logits);
        if ((uint)label >= (uint)logits.Length) throw new ArgumentOutOfRangeException(nameof(label), $"label {label} is outside 0..{logits.Length - 1}");
        Span<float> scratch = Grad < 0 ? stackalloc float[logits.Length] : default;
        h.WritableFloats(Loss)[0] = SoftmaxCrossEntropy.Forward(logits, label, Grad < 0 ? scratch : h.WritableFloats(Grad));
    }

    public override string C(ICallEmitter c) =>
        $"{c.Tensor(Loss)}[0] = tt_softmax_cross_entropy_forward({c.Tensor(Logits)}, {c.FloatCount(Logits)}, {c.Tensor(Label)}[0], {c.Tensor(Grad)});";
}

/// <summary>output = gradient * mask * scales[c] (Mask -1: no mask).</summary>
public sealed record RequantGradCall(string Name, ImmutableArray<float> Scales, int Channels, int Gradient, int Mask, int Output) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => Mask < 0 ? [Gradient] : [Gradient, Mask];
    public override IEnumerable<int> Writes => [Output];

    public override void Run(IKernelHost h)
    {
        if (Mask >= 0) h.Kernels.AccumulatorGrad(h.Floats(Gradient), h.Bytes(Mask), Scales.AsSpan(), Channels, h.WritableFloats(Output));
        else Requant.ScaleGrad(h.Floats(Gradient), Scales.AsSpan(), Channels, h.WritableFloats(Output));
    }

    public override string C(ICallEmitter c) => Mask >= 0
        ? $"tt_requant_accumulator_grad({c.Tensor(Gradient)}, {c.Tensor(Mask)}, {c.Floats(Scales, "_scales")}, {Scales.Length}, {Channels}, {c.FloatCount(Output)}, {c.Tensor(Output)});"
        : $"tt_requant_scale_grad({c.Tensor(Gradient)}, {c.Floats(Scales, "_scales")}, {Scales.Length}, {Channels}, {c.FloatCount(Output)}, {c.Tensor(Output)});";
}

public sealed record BiasGradCall(string Name, int Channels, int Gradient, int Output) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [Gradient];
    public override IEnumerable<int> Writes => [Output];
    public override void Run(IKernelHost h) => h.Kernels.BiasGrad(h.Floats(Gradient), Channels, h.WritableFloats(Output));
    public override string C(ICallEmitter c) => $"tt_bias_grad({c.Tensor(Gradient)}, {c.FloatCount(Gradient)}, {Channels}, {c.Tensor(Output)});";
}

public sealed record GradAddCall(string Name, int A, int B, int Output) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [A, B];
    public override IEnumerable<int> Writes => [Output];

    public override void Run(IKernelHost h)
    {
        h.Floats(A).CopyTo(h.WritableFloats(Output));
        h.Kernels.AddInPlace(h.WritableFloats(Output), h.Floats(B));
    }

    public override string C(ICallEmitter c) => $"tt_elementwise_add({c.Tensor(A)}, {c.Tensor(B)}, {c.Tensor(Output)}, {c.FloatCount(Output)});";
}

/// <summary>
/// One SGD step of a parameter slice, in place: the gradient lands on the parameter positions <see cref="Layout"/>
/// names (all of a bias; the trained input channels of a filter), each scaled by its output channel's QAS factor.
/// Master and Velocity are persistent fp32 tensors (-1: none); Momentum is SGD's coefficient (0 without a velocity), part
/// of the program so the host and the device take the same one. The host and the emitter own the step's policy.
/// </summary>
public sealed record SgdUpdateCall(string Name, int Parameter, int Gradient, ImmutableArray<float> Qas, SliceLayout Layout,
    UpdatePolicy Policy, int Master, int Velocity, float Momentum) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => Master < 0 ? [Parameter, Gradient] : [Parameter, Gradient, Master];
    public override IEnumerable<int> Writes => Velocity < 0 ? [Parameter] : [Parameter, Velocity];
    public override void Run(IKernelHost h) => h.Update(this);
    public override string C(ICallEmitter c) => c.Update(this);
}

/// <summary>
/// A filter gradient with its SGD step inside it (paper §3.4, in-place SGD): the gradient of <see cref="Block"/>
/// output channels at a time lands in the gradient call's output, a scratch of one block, and is applied at once,
/// so the whole weight gradient never exists. Each block's values are bit-identical to the whole gradient's, so the
/// result equals the two calls in turn.
/// </summary>
public sealed record FusedUpdateCall(string Name, FilterGradCall Gradient, SgdUpdateCall Update, int Outputs, int PerOutput, int Block) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => Gradient.Reads.Concat(Update.Reads).Where(id => id != Update.Gradient).Distinct();
    public override IEnumerable<int> Writes => [.. Update.Writes, Update.Gradient];
    public override long Macs => Gradient.Macs;
    public override string Kernel => $"{Gradient.Kernel} + SGD";
    public override void Run(IKernelHost h) => h.FusedUpdate(this);
    public override string C(ICallEmitter c) => c.FusedUpdate(this);
}

/// <summary>
/// Rebuilds a partly trained filter for one reader: the frozen filter (flash) with the trained channels (the SRAM
/// slice) written over it, into a short-lived arena tensor.
/// </summary>
public sealed record SliceMergeCall(string Name, int Frozen, int Trained, ImmutableArray<int> Channels, int Output) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [Frozen, Trained];
    public override IEnumerable<int> Writes => [Output];
    public override void Run(IKernelHost h) => SliceMerge.Merge(h.SBytes(Frozen), h.SBytes(Trained), Channels.AsSpan(), h.WritableSBytes(Output));

    public override string C(ICallEmitter c)
    {
        var k = Channels.Length;
        var rows = c.ByteCount(Trained) / k;
        return $"tt_slice_merge({c.Tensor(Frozen)}, {c.Tensor(Trained)}, {c.Ints(Channels, "_channels")}, {k}, {rows}, {c.ByteCount(Frozen) / rows}, {c.Tensor(Output)});";
    }
}

/// <summary>How the loss and the gradient ops that belong to no forward op become calls.</summary>
internal static class TrainingLowerings
{
    [Lowers(nameof(Ops.Dequantize))]
    private static void LowerDequantize(ProgramLowering l, Node n) =>
        l.Add(new DequantizeCall(n.Name, (float)n.Input(0).Quant!.Scale, n.Input(0).Quant!.ZeroPoint, l.Operand(n, 0), l.NewTensor(n)));

    /// <summary>The loss's call also writes the loss gradient when a SoftmaxCrossEntropyGrad reads the logits.</summary>
    [Lowers(nameof(Ops.SoftmaxCrossEntropy))]
    private static void LowerSoftmaxCrossEntropy(ProgramLowering l, Node n)
    {
        var loss = l.NewTensor(n);
        var grad = l.Users(n.Input(0)).FirstOrDefault(u => u.Op == Ops.SoftmaxCrossEntropyGrad) is { } g ? l.NewTensor(g) : -1;
        l.Add(new SoftmaxCrossEntropyCall(n.Name, l.Operand(n, 0), l.Operand(n, 1), loss, grad));
    }

    [Lowers(nameof(Ops.RequantGrad))]
    private static void LowerRequantGrad(ProgramLowering l, Node n) =>
        l.Add(new RequantGradCall(n.Name, n.AttrsAs<RequantGradAttrs>().Scales, n.Shape[-1], l.Operand(n, 0), l.Operand(n, 1), l.NewTensor(n)));

    [Lowers(nameof(Ops.BiasGrad))]
    private static void LowerBiasGrad(ProgramLowering l, Node n) => l.Add(new BiasGradCall(n.Name, n.Shape[0], l.Operand(n, 0), l.NewTensor(n)));

    [Lowers(nameof(Ops.GradAdd))]
    private static void LowerGradAdd(ProgramLowering l, Node n) => l.Add(new GradAddCall(n.Name, l.Operand(n, 0), l.Operand(n, 1), l.NewTensor(n)));
}
