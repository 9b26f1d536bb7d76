using System.Collections.Immutable;
using System.Globalization;
using TinyTrain.Ir;

namespace TinyTrain.Compiler.Sparse;

/// <summary>The analytic terms of one backbone conv inside the bias range, in bits.</summary>
public sealed record AnalyticLayer(
    int ConvIndex, string Name, long MaskBits, long BiasBits, int KeptChannels, long SavedActivationBits, long WeightCopyBits)
{
    public long TotalBits => MaskBits + BiasBits + SavedActivationBits + WeightCopyBits;
}

/// <summary>
/// The paper's "extra memory" of a scheme split by term, in bits (a 1-bit mask term makes whole bytes impossible).
/// <see cref="UncountedHeadParameterBits"/> is informational only: upstream counts the head's parameters as 0 bits.
/// </summary>
public sealed record AnalyticBreakdown(
    string Scheme, long MaskBits, long BiasBits, long SavedActivationBits, long WeightCopyBits, long HeadInputBits,
    int Classes, long UncountedHeadParameterBits, ImmutableArray<AnalyticLayer> Layers)
{
    public long TotalBits => MaskBits + BiasBits + SavedActivationBits + WeightCopyBits + HeadInputBits;
    public double TotalBytes => TotalBits / 8.0;
    public double Kilobytes => TotalBytes / AnalyticMemory.BytesPerKb;
    public string Label => Labels.Kb(TotalBytes);

    /// <summary>(term, bytes) rows for a report, in a fixed order, then the total.</summary>
    public IEnumerable<(string Term, double Bytes)> Terms()
    {
        yield return ("clamp masks (1 bit/output element)", MaskBits / 8.0);
        yield return ("biases (int32)", BiasBits / 8.0);
        yield return ("saved input activations (int8)", SavedActivationBits / 8.0);
        yield return ("SRAM weight copies (int8)", WeightCopyBits / 8.0);
        yield return ("head input activation (int8)", HeadInputBits / 8.0);
        yield return ("total", TotalBytes);
    }
}

/// <summary>
/// The analytic memory model the paper uses for its budget labels (REPO <c>core/utils/partial_backward.py</c>,
/// <c>nelem_saved_for_backward</c>; paper-notes §2.6). Bits of training state, forward buffers excluded:
/// <list type="bullet">
/// <item>head: its input activation, 8 bit x C_fc. The head's weights and bias count 0 bits (upstream
///   <c>fc_bits = 0  # do not consider fc for now</c>), so the number of classes does not enter at all, and the
///   head has no mask term: the "bias range" covers backbone convs only, never the classifier;</item>
/// <item>every backbone conv in the bias range: 1 bit per output element (clamp mask) + 32 bit x C_out (bias);</item>
/// <item>if its weight is trained with ratio r, k = floor(r·C_in) (upstream <c>int(C_in * r)</c>; depthwise: of its
///   channels): 8 bit x H_in·W_in·k (saved input) + 8 bit x C_out·k·K·K (SRAM weight copy; depthwise k·K·K);</item>
/// <item>momentum 0 bits.</item>
/// </list>
/// Conventions found by matching every published label (tests/…/Sparse/AnalyticMemoryTests.cs):
/// KB = 1024 B (upstream prints <c>total / 1024 / 8</c>; with 1000 B mcunet 99kb would be 102.2, not 99.8);
/// classes: irrelevant (adding the head's mask+bias for 10 classes gives 99.9 for mcunet 99kb, for 1000 classes
/// 103.9); floor and round agree on every shipped ratio (all of 1/8, 1/4, 1/2 of the channel counts are whole);
/// labels round half away from zero: mcunet 49kb is exactly 49.75 KB -> "49.8" and mbv2 138kb exactly
/// 138.25 KB -> "138.3" (half-to-even would print 138.2).
/// </summary>
public static class AnalyticMemory
{
    public const int BytesPerKb = 1024;
    public const int ActivationBits = 8, WeightBits = 8, BiasBits = 32, MaskBits = 1, MomentumBits = 0;

    /// <summary>The scheme's extra training memory in bytes (may end in .125 etc.: masks are 1 bit per element).</summary>
    public static double ExtraBytes(UpdateScheme scheme, Graph graph, int classes) => Breakdown(scheme, graph, classes).TotalBytes;

    public static AnalyticBreakdown Breakdown(UpdateScheme scheme, Graph graph, int classes) =>
        Breakdown(scheme, ConvIndex.Of(graph), classes);

    public static AnalyticBreakdown Breakdown(UpdateScheme scheme, ConvIndex index, int classes)
    {
        if (classes <= 0) throw new ArgumentOutOfRangeException(nameof(classes), classes, "the head needs at least one class");
        var head = index.Classifier ?? throw new SchemeException($"{index.Graph.Name} has no conv-like op, so there is no classifier head to train");
        scheme.Validate(index);
        var layers = ImmutableArray.CreateBuilder<AnalyticLayer>();
        for (var i = index.BiasStart(scheme.BiasLayers); i < index.Count; i++)
        {
            var conv = index[i];
            long saved = 0, copy = 0;
            var k = 0;
            if (scheme.WeightOf(i) is { } w)
            {
                k = conv.KeptChannels(w.Ratio);
                saved = ActivationBits * conv.InputSpatial * k;
                copy = WeightBits * (conv.IsDepthwise ? (long)k * conv.KernelTaps : (long)conv.OutChannels * k * conv.KernelTaps);
            }
            layers.Add(new AnalyticLayer(i, conv.Name, MaskBits * conv.OutputElements, (long)BiasBits * conv.OutChannels, k, saved, copy));
        }
        var all = layers.ToImmutable();
        return new AnalyticBreakdown(
            scheme.Name,
            all.Sum(l => l.MaskBits), all.Sum(l => l.BiasBits), all.Sum(l => l.SavedActivationBits), all.Sum(l => l.WeightCopyBits),
            (long)ActivationBits * head.InChannels,
            classes, (long)classes * (WeightBits * (long)head.InChannels + BiasBits), all);
    }
}

/// <summary>Formats byte counts the way the paper's memory labels read: KB of 1024 B, one decimal, half away from zero.</summary>
public static class Labels
{
    /// <summary>Kilobytes (1024 B) rounded to one decimal, half away from zero (49.75 -> 49.8, 138.25 -> 138.3).</summary>
    public static double RoundKb(double bytes) => Math.Round(bytes / AnalyticMemory.BytesPerKb, 1, MidpointRounding.AwayFromZero);

    /// <summary>"49.8 KB".</summary>
    public static string Kb(double bytes) => RoundKb(bytes).ToString("F1", CultureInfo.InvariantCulture) + " KB";
}
