using System.Collections.Immutable;

namespace TinyTrain.Ir;

/// <summary>
/// An op with a trainable filter (operand 1) and an optional bias (operand 2): the candidates of a sparse-update
/// scheme. The three share their verification and gradient rule; each says how its filter is laid out.
/// </summary>
public abstract class ConvLikeOp : Op
{
    public override int Arity => 3;
    public override bool HasClamp => true;
    public override bool HasFloatMode => true;

    /// <summary>The op's input gradient and filter gradient ops.</summary>
    public abstract Op InputGrad { get; }
    public abstract Op FilterGrad { get; }

    /// <summary>Input channels a weight ratio applies to (Conv2D / FC: the filter's input channels; depthwise: its channels).</summary>
    public abstract int FilterInputChannels(Shape filter);

    /// <summary>The output channel of filter element <paramref name="index"/> (OHWI and [O, I] lead with it, 1HWC ends with it).</summary>
    public abstract int OutputChannelOf(Shape filter, int index);

    /// <summary>The trained slice of a filter for <paramref name="channels"/> trained input channels (the filter gradient's shape).</summary>
    public abstract Shape FilterSlice(Shape filter, int channels);

    /// <summary>Kernel height and width (1x1 for a fully connected layer).</summary>
    public virtual (int H, int W) Kernel(Shape filter) => (filter[1], filter[2]);

    /// <summary>Per-input-channel squared L2 norms of an int8 filter (channel selection), exact in integers.</summary>
    public virtual long[] SquaredNorms(Node node) => InnermostNorms(node.Input(1).ConstantData.ToSByteArray(), node.Input(1).Shape[-1]);

    public abstract ClampRange ClampOf(OpAttrs attrs);

    /// <summary>The channels a scheme's weight ratio applies to: the filter's input channels (depthwise: the input's channels).</summary>
    public virtual int SchemeChannels(Node node) => FilterInputChannels(node.Input(1).Shape);

    /// <summary>Input pixels H_in·W_in and output elements, per sample (the analytic memory model's terms).</summary>
    public virtual (long InputSpatial, long OutputElements) PerSample(Node node)
    {
        var (x, y) = (node.Input(0).Shape, node.Shape);
        return ((long)x[1] * x[2], (long)y[1] * y[2] * y[3]);
    }

    protected static long[] InnermostNorms(sbyte[] w, int channels)
    {
        var norms = new long[channels];
        for (var i = 0; i < w.Length; i++) norms[i % channels] += w[i] * w[i];
        return norms;
    }

    public override void Verify(Node node, Action<bool, string> check)
    {
        // int8 ops take int8 filters with scales and int32 biases; fp32 ops (an fp32 head) take fp32 ones.
        var integer = node.Type.DType == DType.Int8;
        var filter = node.Input(1);
        var outChannels = node.Shape[-1];
        check(filter.Op == Ops.Constant && filter.Type.DType == node.Input(0).Type.DType, $"filter must be a constant {node.Input(0).Type.DType.Name()} tensor");
        if (integer)
        {
            check(filter.Quant is not null && (filter.Quant.IsPerTensor || filter.Quant.Scales.Length == outChannels),
                $"filter needs one scale or {outChannels} scales, has {filter.Quant?.Scales.Length ?? 0}");
        }
        if (node.OptionalInput(2) is { } bias)
        {
            var biasType = integer ? DType.Int32 : DType.Float32;
            check(bias.Op == Ops.Constant && bias.Type.DType == biasType, $"bias must be a constant {biasType.Name()} tensor");
            check(bias.Shape.Elements == outChannels, $"bias has {bias.Shape.Elements} values for {outChannels} channels");
        }
    }

    public override string? GradientRefusal(Node node) => null;

    /// <summary>
    /// The accumulator's gradient first: through the clamp and the requantisation of an int8 op (g_acc = g_y * mask *
    /// eff[c]); an fp32 op has only its clamp (when it replaces an int8 op), an fp32 head neither. Then the input
    /// gradient (a transposed convolution), the bias gradient and the trained channels' filter gradient.
    /// </summary>
    public override void Differentiate(Node node, Node? gradient, IGradientBuilder g)
    {
        var (x, filter) = (node.Input(0), node.Input(1));
        var accumulator = node.Type.DType != DType.Int8
            ? node.Quant is null ? gradient! : g.Emit(Ops.RequantGrad, $"{node.Name}.acc.grad", new RequantGradAttrs([1f]), gradient, g.Mask(node))
            : g.Emit(Ops.RequantGrad, $"{node.Name}.acc.grad",
                new RequantGradAttrs([.. Enumerable.Range(0, node.Shape[-1]).Select(c => (float)(x.Quant!.Scale * filter.Quant!.ScaleAt(c) / node.Quant!.Scale))]),
                gradient, g.Mask(node));
        g.Input(x, () => g.Emit(InputGrad, $"{x.Name}.grad", new ConvGradAttrs(node, []), accumulator, filter));
        if (g.TrainsBias) g.BiasGradient(g.Emit(Ops.BiasGrad, $"{node.Name}.bias.grad", OpAttrs.Empty, accumulator));
        if (!g.TrainedFilterChannels.IsEmpty)
            g.FilterGradient(g.Emit(FilterGrad, $"{node.Name}.weight.grad", new ConvGradAttrs(node, g.TrainedFilterChannels), x, accumulator));
    }
}

/// <summary>
/// Gradient of a conv-like op with respect to its input, or to a subset of its filter's input channels.
/// <see cref="Forward"/> is the forward op (geometry and shapes); <see cref="Channels"/> lists the trained input
/// channels in ascending order (depthwise: channels), empty for an input gradient.
/// </summary>
public sealed record ConvGradAttrs(Node Forward, ImmutableArray<int> Channels) : OpAttrs
{
    public bool Equals(ConvGradAttrs? other) =>
        other is not null && ReferenceEquals(Forward, other.Forward) && Channels.AsSpan().SequenceEqual(other.Channels.AsSpan());

    public override int GetHashCode() => HashCode.Combine(Forward.Name, Channels.Length);
    public override string ToString() => Channels.IsEmpty ? $"of {Forward.Name}" : $"of {Forward.Name}, {Channels.Length} channels";
}

/// <summary>The input gradient of a conv-like op: operands are the accumulator's gradient and the filter.</summary>
public sealed class ConvInputGradOp(string name) : Op
{
    public override string Name => name;
    public override int Arity => 2;
    public override bool IsBackward => true;
    public override GradientRole Role => GradientRole.InputGrad;

    public override TensorType InferType(OpAttrs attrs, Operands x, QuantParams? quant)
    {
        var forward = ((ConvGradAttrs)attrs).Forward;
        x.Expect(x.Gradient(0).Shape == forward.Shape, $"gradient {x[0].Shape} does not match {forward.Name}'s output {forward.Shape}");
        return new TensorType(DType.Float32, forward.Input(0).Shape);
    }
}

/// <summary>The filter gradient of a conv-like op for its trained input channels: operands are the forward input and the accumulator's gradient.</summary>
public sealed class ConvFilterGradOp(string name) : Op
{
    public override string Name => name;
    public override int Arity => 2;
    public override bool IsBackward => true;
    public override GradientRole Role => GradientRole.FilterGrad;

    public override TensorType InferType(OpAttrs attrs, Operands x, QuantParams? quant)
    {
        var a = (ConvGradAttrs)attrs;
        var op = (ConvLikeOp)a.Forward.Op;
        var filter = a.Forward.Input(1).Shape;
        x.Expect(x.Gradient(1).Shape == a.Forward.Shape, $"gradient {x[1].Shape} does not match {a.Forward.Name}'s output");
        x.Expect(ReferenceEquals(x[0], a.Forward.Input(0)), "a filter gradient reads its forward op's input");
        var inner = op.FilterInputChannels(filter);
        x.Expect(a.Channels.Length > 0 && a.Channels.All(c => c >= 0 && c < inner), $"trained channels must be within 0..{inner - 1}");
        return new TensorType(DType.Float32, op.FilterSlice(filter, a.Channels.Length));
    }
}
