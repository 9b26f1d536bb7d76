namespace TinyTrain.Kernels;

/// <summary>Constant pad of an NHWC int8 tensor (see <see cref="PadParams"/>).</summary>
public static class Pad
{
    /// <summary>y[oy, ox, oc] = x[oy - top, ox - left, oc - before] inside the input, else PadValue.</summary>
    public static void Forward(PadParams p, ReadOnlySpan<sbyte> input, Span<sbyte> output) => Forward(p, input, output, p.PadValue);

    /// <summary>The fp32 mode's pad: the int8 pad value is the zero point, i.e. real 0.</summary>
    public static void ForwardFloat(PadParams p, ReadOnlySpan<float> input, Span<float> output) => Forward(p, input, output, 0f);

    /// <summary>The input gradient: the output gradient's interior (the padding's gradient goes nowhere).</summary>
    public static void Backward(PadParams p, ReadOnlySpan<float> outputGrad, Span<float> inputGrad)
    {
        Validate(p, inputGrad, outputGrad);
        for (int inY = 0; inY < p.InputH; inY++)
        {
            for (int inX = 0; inX < p.InputW; inX++)
            {
                int outOffset = (((inY + p.PadTop) * p.OutputW) + inX + p.PadLeft) * p.OutputC + p.PadChannelsBefore;
                outputGrad.Slice(outOffset, p.InputC).CopyTo(inputGrad.Slice((inY * p.InputW + inX) * p.InputC, p.InputC));
            }
        }
    }

    private static void Forward<T>(PadParams p, ReadOnlySpan<T> input, Span<T> output, T padValue)
    {
        Validate(p, input, output);
        output.Fill(padValue);
        for (int inY = 0; inY < p.InputH; inY++)
        {
            for (int inX = 0; inX < p.InputW; inX++)
            {
                int outOffset = (((inY + p.PadTop) * p.OutputW) + inX + p.PadLeft) * p.OutputC + p.PadChannelsBefore;
                input.Slice((inY * p.InputW + inX) * p.InputC, p.InputC).CopyTo(output.Slice(outOffset, p.InputC));
            }
        }
    }

    private static void Validate<T>(PadParams p, ReadOnlySpan<T> input, ReadOnlySpan<T> output)
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
