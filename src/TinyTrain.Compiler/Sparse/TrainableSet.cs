using System.Collections.Immutable;
using TinyTrain.Ir;

namespace TinyTrain.Compiler.Sparse;

public enum TrainableRole
{
    /// <summary>A backbone conv's int32 bias (all output channels).</summary>
    Bias,

    /// <summary>A backbone conv's int8 filter, restricted to <see cref="TrainableTensor.Channels"/> (input channels).</summary>
    Weight,

    /// <summary>The classifier head's filter, always fully trained.</summary>
    HeadWeight,

    /// <summary>The classifier head's bias, always fully trained.</summary>
    HeadBias,
}

/// <summary>
/// One trainable tensor. <see cref="Tensor"/> is the graph constant (null for a bias the model lacks: the trainer must
/// create it, zero-initialised). <see cref="Channels"/>: for <see cref="TrainableRole.Weight"/> the selected input
/// channels (ascending; depthwise: channels); otherwise every channel of the tensor's channel axis.
/// <see cref="Elements"/> counts the trainable scalars.
/// </summary>
public sealed record TrainableTensor(
    string Name, TrainableRole Role, int ConvIndex, Node Conv, Node? Tensor, ImmutableArray<int> Channels, int TotalChannels, long Elements)
{
    public int ChannelCount => Channels.Length;
    public bool IsPartial => ChannelCount < TotalChannels;

    public override string ToString() =>
        $"{Name} ({Role}{(ConvIndex >= 0 ? $", conv {ConvIndex}" : "")}: {ChannelCount}/{TotalChannels} channels, {Elements} values)";
}

/// <summary>
/// The concrete trainable set of a scheme on a graph. Order: backbone convs of the bias range from the input side,
/// each as [weight (if trained), bias], then the head's weight and bias.
/// </summary>
public sealed class TrainableSet
{
    private TrainableSet(UpdateScheme scheme, ConvIndex index, ImmutableArray<TrainableTensor> tensors)
    {
        Scheme = scheme;
        Index = index;
        Tensors = tensors;
    }

    public UpdateScheme Scheme { get; }
    public ConvIndex Index { get; }
    public ImmutableArray<TrainableTensor> Tensors { get; }

    public TrainableTensor? Find(string name) => Tensors.FirstOrDefault(t => t.Name == name);

    /// <summary>The trainable tensors of one conv-like node (its weight and/or bias), empty when frozen.</summary>
    public IEnumerable<TrainableTensor> Of(Node conv) => Tensors.Where(t => ReferenceEquals(t.Conv, conv));

    public static TrainableSet Resolve(UpdateScheme scheme, Graph graph) => Resolve(scheme, ConvIndex.Of(graph));

    public static TrainableSet Resolve(UpdateScheme scheme, ConvIndex index)
    {
        scheme.Validate(index);
        var head = index.Classifier ?? throw new SchemeException($"{index.Graph.Name} has no conv-like op, so there is no classifier head to train");
        var list = ImmutableArray.CreateBuilder<TrainableTensor>();
        for (var i = index.BiasStart(scheme.BiasLayers); i < index.Count; i++)
        {
            var conv = index[i];
            if (scheme.WeightOf(i) is { } w) list.Add(Weight(conv, ChannelSelection.Select(conv.Node, w.Ratio)));
            list.Add(Bias(conv, TrainableRole.Bias));
        }
        var all = Enumerable.Range(0, head.InChannels).ToImmutableArray();
        list.Add(Weight(head, all) with { Role = TrainableRole.HeadWeight });
        list.Add(Bias(head, TrainableRole.HeadBias));
        return new TrainableSet(scheme, index, list.ToImmutable());
    }

    private static TrainableTensor Weight(ConvInfo conv, ImmutableArray<int> channels)
    {
        var perChannel = conv.IsDepthwise
            ? (long)conv.KernelTaps * (conv.OutChannels / conv.InChannels) // depth multiplier copies
            : (long)conv.OutChannels * conv.KernelTaps;
        return new TrainableTensor(conv.Filter.Name, TrainableRole.Weight, conv.Index, conv.Node, conv.Filter,
            channels, conv.InChannels, perChannel * channels.Length);
    }

    private static TrainableTensor Bias(ConvInfo conv, TrainableRole role) =>
        new(conv.Bias?.Name ?? conv.Name + ".bias", role, conv.Index, conv.Node, conv.Bias,
            [.. Enumerable.Range(0, conv.OutChannels)], conv.OutChannels, conv.OutChannels);
}
