using System.Collections.Immutable;
using TinyTrain.Compiler.Lowering;
using TinyTrain.Ir;
using TinyTrain.Kernels;

namespace TinyTrain.Compiler.Lowered;

// What Conv2D, DepthwiseConv2D and FullyConnected calls share: the fp32 forward call, the input- and filter-gradient
// calls, and the requantisation their parameters need. Each op's own calls and lowering are in its <Op>Calls.cs.

/// <summary>
/// An fp32 conv-like op (the fp32 mode, or the fp32 head): Params gives the geometry only; the output is clamped to
/// [Min, Max] (infinite for a head) and, with Mask >= 0, the clamp's 1-bit mask is written.
/// </summary>
public abstract record FloatConvCall(string Name, int Input, int Filter, int Bias, int Output, float Min, float Max, int Mask) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => Bias < 0 ? [Input, Filter] : [Input, Filter, Bias];
    public override IEnumerable<int> Writes => Mask < 0 ? [Output] : [Output, Mask];
    public override string Kernel => $"{base.Kernel.Replace("Float", "", StringComparison.Ordinal)} (fp32)";

    /// <summary>
    /// The clamp mask to write, or none. The fp32 forwards run the fast kernels whatever the host's set, as they always
    /// have: the conv's and the fully connected layer's SIMD sums differ from the reference loops by rounding.
    /// </summary>
    protected static Span<byte> FloatMask(IKernelHost h, int mask) => mask >= 0 ? h.WritableBytes(mask) : default;

    protected string C(ICallEmitter c, string op, object parameters) =>
        $"tt_{op}_forward_float{WithMask(Mask)}({c.Params(parameters)}, {c.Tensor(Input)}, {c.Tensor(Filter)}, {c.Tensor(Bias)}, {c.Tensor(Output)}, " +
        $"{CLiterals.Float(Min)}, {CLiterals.Float(Max)}{MaskArg(c, Mask)});";
}

/// <summary>
/// Gradient of a conv-like op's input (a transposed convolution) from its accumulator gradient; <see cref="Float"/>
/// when the filter is fp32 (the fp32 mode or head).
/// </summary>
public abstract record InputGradCall(string Name, int Gradient, int Filter, int Output, bool Float) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [Gradient, Filter];
    public override IEnumerable<int> Writes => [Output];

    protected string C(ICallEmitter c, string op, object parameters) =>
        $"tt_{op}_input_grad{(Float ? "_float" : "")}({c.Params(parameters)}, {c.Tensor(Gradient)}, {c.Tensor(Filter)}, {c.Tensor(Output)});";
}

/// <summary>
/// Gradient of a conv-like op's filter for the trained input channels only; <see cref="Float"/> when the input is
/// fp32. A fused update runs it a block of output channels at a time (<see cref="RunBlock"/>, <see cref="WindowFunction"/>).
/// </summary>
public abstract record FilterGradCall(string Name, int Input, int Gradient, ImmutableArray<int> Channels, int Output, bool Float) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [Input, Gradient];
    public override IEnumerable<int> Writes => [Output];

    /// <summary>Output channels of the filter: the blocks a fused update walks.</summary>
    public abstract int Outputs { get; }

    /// <summary>The parameters the C functions take.</summary>
    public abstract object Parameters { get; }

    /// <summary>The gradient of output channels [first, first + block) into <paramref name="grad"/>, for ops with a <see cref="WindowFunction"/>.</summary>
    public virtual void RunBlock(IKernelHost h, int first, Span<float> grad) =>
        throw new InvalidOperationException($"{Name}: {GetType().Name} has no windowed filter gradient");

    /// <summary>The C function of <see cref="RunBlock"/>, or null when there is none (the update is not fused).</summary>
    public virtual string? WindowFunction => null;

    protected string C(ICallEmitter c, string op) =>
        $"tt_{op}_filter_grad{(Float ? "_float" : "")}({c.Params(Parameters)}, {c.Tensor(Input)}, {c.Tensor(Gradient)}, {c.Ints(Channels, "_channels")}, {Channels.Length}, {c.Tensor(Output)});";
}

/// <summary>
/// The parameter rules conv-like lowerings share (TFLite Micro's Prepare): requantisation scales or multipliers. The
/// formulas follow design.md §3 for float requantisation and TFLite Micro for fixed point, because bit-exactness
/// depends on them.
/// </summary>
internal static class ConvLikeLowering
{
    /// <summary>The fp32 parameters' neutral requantisation (the fp32 kernels read the geometry only).</summary>
    public static Requantization None { get; } = Requantization.FromFloat([1f]);

    /// <summary>eff[c] = x_scale * w_scale[c] / y_scale, multiplied first, all in double (design.md §3).</summary>
    public static Requantization PerChannel(RequantKind kind, Node x, Node filter, Node y, int channels)
    {
        var effective = new double[channels];
        for (var c = 0; c < channels; c++)
        {
            effective[c] = x.Quant!.Scale * filter.Quant!.ScaleAt(c) / y.Quant!.Scale;
        }
        if (kind == RequantKind.FixedPoint) return FixedPoint(effective);
        return Requantization.FromFloat([.. effective.Select(e => (float)e)]);
    }

    public static Requantization FixedPoint(double[] effective)
    {
        var multipliers = new int[effective.Length];
        var shifts = new int[effective.Length];
        for (var c = 0; c < effective.Length; c++)
        {
            (multipliers[c], shifts[c]) = QuantizedMultiplier.QuantizeMultiplier(effective[c]);
        }
        return Requantization.FromFixedPoint(multipliers, shifts);
    }

    /// <summary>The fp32 mode's clamp of a conv-like op, in real values.</summary>
    public static (float Min, float Max) FloatClamp(Node node) => ClampRange.Real(((ConvLikeOp)node.Op).ClampOf(node.Attrs), node.Quant);

    public static bool IsFloat(Node node) => node.Type.DType == DType.Float32;

    /// <summary>The forward op a gradient op differentiates.</summary>
    public static Node Forward(Node grad) => grad.AttrsAs<ConvGradAttrs>().Forward;

    public static ImmutableArray<int> Channels(Node grad) => grad.AttrsAs<ConvGradAttrs>().Channels;
}
