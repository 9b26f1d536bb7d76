namespace TinyTrain.Kernels;

/// <summary>Constant pad of an NHWC int8 tensor (see <see cref="PadParams"/>).</summary>
public static class Pad
{
    /// <summary>y[oy, ox, oc] = x[oy - top, ox - left, oc - before] inside the input, else PadValue.</summary>
    public static void Forward(PadParams p, ReadOnlySpan<sbyte> input, Span<sbyte> output)
    {
        Validate(p, input, output);
        output.Fill(p.PadValue);
        for (int inY = 0; inY < p.InputH; inY++)
        {
            for (int inX = 0; inX < p.InputW; inX++)
            {
                int outOffset = (((inY + p.PadTop) * p.OutputW) + inX + p.PadLeft) * p.OutputC + p.PadChannelsBefore;
                input.Slice((inY * p.InputW + inX) * p.InputC, p.InputC).CopyTo(output.Slice(outOffset, p.InputC));
            }
        }
    }

    private static void Validate(PadParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> output)
    {
        ArgumentNullException.ThrowIfNull(p);
        Check.NonNegative(p.InputH, nameof(p.InputH));
        Check.NonNegative(p.InputW, nameof(p.InputW));
        Check.NonNegative(p.InputC, nameof(p.InputC));
        Check.NonNegative(p.PadTop, nameof(p.PadTop));
        Check.NonNegative(p.PadBottom, nameof(p.PadBottom));
        Check.NonNegative(p.PadLeft, nameof(p.PadLeft));
        Check.NonNegative(p.PadRight, nameof(p.PadRight));
        Check.NonNegative(p.PadChannelsBefore, nameof(p.PadChannelsBefore));
        Check.NonNegative(p.PadChannelsAfter, nameof(p.PadChannelsAfter));
        Check.Length(input, (long)p.InputH * p.InputW * p.InputC, nameof(input));
        Check.Length(output, (long)p.OutputH * p.OutputW * p.OutputC, nameof(output));
    }
}
