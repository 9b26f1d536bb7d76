using System.Text;
using TinyTrain.Kernels;
using static TinyTrain.CodeGen.Emitter.CLiteral;

namespace TinyTrain.CodeGen.Emitter;

/// <summary>
/// The kernel parameter records as const C structs in flash, field for field in the order of tinytrain.h (which
/// mirrors the C# records). Per-channel requantisation arrays are written next to the struct that points at them.
/// </summary>
internal sealed class ParamsWriter(StringBuilder output)
{
    private readonly Dictionary<object, string> written = new(ReferenceEqualityComparer.Instance);

    /// <summary>The name of the const struct for a parameter record, written on first use.</summary>
    public string Of(object parameters, string name)
    {
        if (written.TryGetValue(parameters, out var existing)) return existing;
        var text = parameters switch
        {
            Conv2DParams p => Struct("tt_conv2d_params", name, Join(
                p.InputH, p.InputW, p.InputC, p.OutputH, p.OutputW, p.OutputC, p.KernelH, p.KernelW, p.StrideH, p.StrideW,
                p.DilationH, p.DilationW, p.PadTop, p.PadLeft, p.InputZeroPoint, p.OutputZeroPoint, p.ActMin, p.ActMax) + ", " + Requant(p.Requant, name)),
            DepthwiseConv2DParams p => Struct("tt_depthwise_conv2d_params", name, Join(
                p.InputH, p.InputW, p.InputC, p.OutputH, p.OutputW, p.DepthMultiplier, p.KernelH, p.KernelW, p.StrideH, p.StrideW,
                p.DilationH, p.DilationW, p.PadTop, p.PadLeft, p.InputZeroPoint, p.OutputZeroPoint, p.ActMin, p.ActMax) + ", " + Requant(p.Requant, name)),
            FullyConnectedParams p => Struct("tt_fully_connected_params", name, Join(
                p.Batches, p.InputDepth, p.OutputDepth, p.InputZeroPoint, p.FilterZeroPoint, p.OutputZeroPoint, p.ActMin, p.ActMax) + ", " + Requant(p.Requant, name)),
            AddParams p => Struct("tt_add_params", name, Join(p.Length, p.ZeroA, p.ZeroB, p.ZeroOut, p.ActMin, p.ActMax) + ", " + Mode(p.Mode) + ", " +
                $"{Float(p.ScaleA)}, {Float(p.ScaleB)}, {Float(p.ScaleOut)}, " +
                Join(p.LeftShift, p.MultiplierA, p.ShiftA, p.MultiplierB, p.ShiftB, p.MultiplierOut, p.ShiftOut)),
            PoolParams p => Struct("tt_pool_params", name, Join(p.InputH, p.InputW, p.Channels, p.OutputH, p.OutputW, p.FilterH, p.FilterW,
                p.StrideH, p.StrideW, p.PadTop, p.PadLeft, p.ActMin, p.ActMax) + ", " +
                (p.Rounding == PoolRounding.HalfToEven ? "TT_POOL_HALF_TO_EVEN" : "TT_POOL_HALF_AWAY_FROM_ZERO")),
            MeanParams p => Struct("tt_mean_params", name, Join(p.InputH, p.InputW, p.Channels, p.InputZeroPoint, p.OutputZeroPoint, p.Multiplier, p.Shift)),
            PadParams p => Struct("tt_pad_params", name, Join(p.InputH, p.InputW, p.InputC, p.PadTop, p.PadBottom, p.PadLeft, p.PadRight,
                p.PadChannelsBefore, p.PadChannelsAfter, p.PadValue)),
            SoftmaxParams p => Struct("tt_softmax_params", name, Join(p.Rows, p.Depth, p.InputMultiplier, p.InputLeftShift, p.DiffMin)),
            _ => throw new InvalidOperationException($"no C struct for {parameters.GetType().Name}"),
        };
        output.Append(text);
        written[parameters] = name;
        return name;
    }

    /// <summary>A float array in flash (QAS factors, gradient scales), shared when the same array is used twice.</summary>
    public string FloatArray(IReadOnlyList<float> values, string name)
    {
        output.Append(Array($"static const float {name}[]", values.ToArray().AsSpan(), Float));
        return name;
    }

    /// <summary>A declaration written as is.</summary>
    public void Raw(string declaration) => output.Append(declaration);

    public string IntArray(IReadOnlyList<int> values, string name)
    {
        output.Append(Array($"static const int32_t {name}[]", values.ToArray().AsSpan(), Int));
        return name;
    }

    private string Requant(Requantization r, string owner)
    {
        if (r.Mode == RequantMode.Float)
            return $"{{ TT_REQUANT_FLOAT, {r.Scale.Length}, {FloatArray(r.Scale, owner + "_scale")}, NULL, NULL }}";
        return $"{{ TT_REQUANT_FIXED_POINT, {r.Multiplier.Length}, NULL, {IntArray(r.Multiplier, owner + "_multiplier")}, {IntArray(r.Shift, owner + "_shift")} }}";
    }

    private static string Mode(RequantMode mode) => mode == RequantMode.Float ? "TT_REQUANT_FLOAT" : "TT_REQUANT_FIXED_POINT";

    private static string Struct(string type, string name, string fields) => $"static const {type} {name} = {{ {fields} }};\n";

    private static string Join(params int[] values) => Ints(values);
}
