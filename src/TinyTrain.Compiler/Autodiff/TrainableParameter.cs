using System.Collections.Immutable;
using TinyTrain.Ir;

namespace TinyTrain.Compiler.Autodiff;

public enum ParameterKind
{
    Filter,
    Bias,
}

/// <summary>
/// One trained parameter slice: the filter or bias of a conv-like op. For a filter, <see cref="Channels"/> lists the
/// trained input channels (depthwise: channels) in ascending order; a bias is always trained whole.
/// </summary>
public sealed record TrainableParameter(Node Op, ParameterKind Kind, ImmutableArray<int> Channels)
{
    public Node Parameter => Kind == ParameterKind.Filter ? Op.Input(1) : Op.OptionalInput(2)
        ?? throw new CompilationException($"{Op.Name} has no bias to train");

    public static TrainableParameter Bias(Node op) => new(op, ParameterKind.Bias, []);

    /// <summary>All input channels of the filter (depthwise: all channels).</summary>
    public static TrainableParameter WholeFilter(Node op) =>
        new(op, ParameterKind.Filter, [.. Enumerable.Range(0, ((ConvLikeOp)op.Op).FilterInputChannels(op.Input(1).Shape))]);

    public override string ToString() => Kind == ParameterKind.Bias ? $"{Op.Name}.bias" : $"{Op.Name}.weight[{Channels.Length} ch]";
}
