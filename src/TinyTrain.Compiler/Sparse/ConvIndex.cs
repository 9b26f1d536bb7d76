using System.Collections.Immutable;
using TinyTrain.Ir;

namespace TinyTrain.Compiler.Sparse;

/// <summary>
/// One backbone conv-like op as the sparse-update scheme sees it. <see cref="InChannels"/> is the channel count a
/// weight ratio applies to (Conv2D / FC: input channels; depthwise: its channels). <see cref="InputSpatial"/> is
/// H_in·W_in per sample (FC: rows per sample, 1 for a flat input); <see cref="OutputElements"/> is per sample too.
/// </summary>
public sealed record ConvInfo(
    int Index, Node Node, Shape InputShape, Shape OutputShape,
    int KernelH, int KernelW, int InChannels, int OutChannels, long InputSpatial, long OutputElements)
{
    public string Name => Node.Name;
    public Op Op => Node.Op;
    public bool IsDepthwise => Op == Ops.DepthwiseConv2D;
    public Node Filter => Node.Input(1);
    public Node? Bias => Node.OptionalInput(2);

    /// <summary>Kernel taps K·K (1 for 1x1 convs and FC).</summary>
    public int KernelTaps => KernelH * KernelW;

    /// <summary>The paper's k = floor(ratio·C_in), at least 1 (<see cref="ChannelSelection.KeptChannels"/>).</summary>
    public int KeptChannels(double ratio) => ChannelSelection.KeptChannels(InChannels, ratio);

    public static ConvInfo Of(int index, Node conv)
    {
        if (conv.Op is not ConvLikeOp op) throw new ArgumentException($"{conv.Name} is a {conv.Op}, not a conv-like op");
        var (kh, kw) = op.Kernel(conv.Input(1).Shape);
        var (inputSpatial, outputElements) = op.PerSample(conv);
        return new ConvInfo(index, conv, conv.Input(0).Shape, conv.Shape, kh, kw, op.SchemeChannels(conv), conv.Shape[-1], inputSpatial, outputElements);
    }
}

/// <summary>
/// The backbone conv list of a graph: conv-like ops in execution order, without the classifier (the last conv-like
/// op, which feeds the output). Index 0 is nearest the input, as the paper's <c>manual_weight_idx</c>;
/// the paper's models give 42 (mcunet-5fps), 51 (mbv2-w0.35) and 60 (proxyless-w0.3).
/// </summary>
public sealed class ConvIndex
{
    private readonly Dictionary<string, ConvInfo> byName;

    private ConvIndex(Graph graph, ImmutableArray<ConvInfo> convs, ConvInfo? classifier)
    {
        Graph = graph;
        Convs = convs;
        Classifier = classifier;
        byName = convs.ToDictionary(c => c.Name, StringComparer.Ordinal);
    }

    public Graph Graph { get; }
    public ImmutableArray<ConvInfo> Convs { get; }

    /// <summary>The model's classifier (replaced by the always-trained head); null when the graph has no conv-like op.</summary>
    public ConvInfo? Classifier { get; }

    public int Count => Convs.Length;
    public ConvInfo this[int index] => Convs[index];

    public static ConvIndex Of(Graph graph)
    {
        var all = graph.Operations.Where(n => n.Op is ConvLikeOp).ToList();
        if (all.Count == 0) return new ConvIndex(graph, [], null);
        var classifier = ConvInfo.Of(-1, all[^1]);
        var convs = all.Take(all.Count - 1).Select((n, i) => ConvInfo.Of(i, n)).ToImmutableArray();
        return new ConvIndex(graph, convs, classifier);
    }

    public ConvInfo? Find(string name) => byName.GetValueOrDefault(name);

    /// <summary>First index of the last <paramref name="biasLayers"/> convs (= Count when none).</summary>
    public int BiasStart(int biasLayers) => Count - Math.Clamp(biasLayers, 0, Count);

    /// <summary>"0..41 (first_conv .. blocks.13.pointwise2)", for error messages.</summary>
    public string RangeText => Count == 0 ? "none (the model has no backbone conv)" : $"0..{Count - 1} ({Convs[0].Name} .. {Convs[^1].Name})";
}
