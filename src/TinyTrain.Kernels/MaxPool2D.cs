using System.Numerics;
using System.Runtime.CompilerServices;

namespace TinyTrain.Kernels;

/// <summary>
/// NHWC max pool (batch 1) over the geometry and clamp of a <see cref="PoolParams"/>; its Rounding is ignored (a max
/// needs none). Input and output share scale and zero point, so the int8 max is taken over raw int8 values. Only a
/// window's in-image positions compete, padding never does; a window with none is an error. The int8 forward is
/// bit-exact with TFLite Micro's reference_integer_ops::MaxPool.
/// <para>
/// Backward, straight-through: each output's gradient goes to one input, the window's max position, which is the
/// FIRST in-image position in scan order (filter row ascending, then filter column ascending) holding the window's
/// max; ties go to the earliest. Where the clamp changed the max (it lay below the lower bound or above the upper
/// one, as a fused ReLU/ReLU6 does), the output passes no gradient, as a clamp mask would.
/// </para>
/// </summary>
public static partial class MaxPool2D
{
    /// <summary>y[oy, ox, c] = clamp(max of in-image x[iy, ix, c] over the window, ActMin, ActMax); the max starts at -128.</summary>
    public static void Forward(PoolParams p, ReadOnlySpan<sbyte> input, Span<sbyte> output)
    {
        ValidateShapes(p, input, output);
        Check.ActivationRange(p.ActMin, p.ActMax);
        for (int outY = 0; outY < p.OutputH; outY++)
        {
            for (int outX = 0; outX < p.OutputW; outX++)
            {
                var window = PoolWindow.At(p, outY, outX);
                for (int channel = 0; channel < p.Channels; channel++)
                {
                    sbyte max = Max(input, window, channel, sbyte.MinValue);
                    output[(outY * p.OutputW + outX) * p.Channels + channel] = (sbyte)Math.Clamp(max, p.ActMin, p.ActMax);
                }
            }
        }
    }

    /// <summary>
    /// The fp32 forward: y[oy, ox, c] = clamp(max of in-image x[iy, ix, c], min, max) (infinities: no clamp). The max
    /// starts at -infinity and takes a value only when it compares greater, so NaNs are skipped and a window of NaNs only
    /// gives -infinity (TFLite's float reference starts at -float.MaxValue instead; the two differ only there and on a
    /// window of -infinities).
    /// </summary>
    public static void ForwardFloat(PoolParams p, ReadOnlySpan<float> input, Span<float> output, float min, float max)
    {
        ValidateShapes(p, input, output);
        ClampMask.ValidateRange(min, max);
        for (int outY = 0; outY < p.OutputH; outY++)
        {
            for (int outX = 0; outX < p.OutputW; outX++)
            {
                var window = PoolWindow.At(p, outY, outX);
                for (int channel = 0; channel < p.Channels; channel++)
                {
                    float largest = Max(input, window, channel, float.NegativeInfinity);
                    output[(outY * p.OutputW + outX) * p.Channels + channel] = largest < min ? min : largest > max ? max : largest;
                }
            }
        }
    }

    /// <summary>
    /// inputGrad (overwritten) = sum over the outputs (oy, ox, c), in that order, of outputGrad[oy, ox, c] added at the
    /// window's max position (the first in scan order holding the max; see the class), except where the max lay outside
    /// [ActMin, ActMax]. Overlapping windows (stride &lt; filter) accumulate.
    /// </summary>
    public static void Backward(PoolParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<float> outputGrad, Span<float> inputGrad)
    {
        ValidateShapes(p, input, outputGrad);
        Check.Length(inputGrad, input.Length, nameof(inputGrad));
        Check.ActivationRange(p.ActMin, p.ActMax);
        inputGrad.Clear();
        for (int outY = 0; outY < p.OutputH; outY++)
        {
            for (int outX = 0; outX < p.OutputW; outX++)
            {
                var window = PoolWindow.At(p, outY, outX);
                for (int channel = 0; channel < p.Channels; channel++)
                {
                    sbyte max = Max(input, window, channel, sbyte.MinValue);
                    if (max >= p.ActMin && max <= p.ActMax)
                    {
                        inputGrad[FirstIndexOf(input, window, channel, max)] += outputGrad[(outY * p.OutputW + outX) * p.Channels + channel];
                    }
                }
            }
        }
    }

    /// <summary>
    /// <see cref="Backward"/> of <see cref="ForwardFloat"/>: the max position is the first holding a value == the max
    /// (so +0 and -0 tie); no gradient where the max is &lt; min or &gt; max, nor for a window of NaNs only (no
    /// position holds its -infinity).
    /// </summary>
    public static void BackwardFloat(PoolParams p, ReadOnlySpan<float> input, ReadOnlySpan<float> outputGrad, Span<float> inputGrad, float min, float max)
    {
        ValidateShapes(p, input, outputGrad);
        Check.Length(inputGrad, input.Length, nameof(inputGrad));
        ClampMask.ValidateRange(min, max);
        inputGrad.Clear();
        for (int outY = 0; outY < p.OutputH; outY++)
        {
            for (int outX = 0; outX < p.OutputW; outX++)
            {
                var window = PoolWindow.At(p, outY, outX);
                for (int channel = 0; channel < p.Channels; channel++)
                {
                    float largest = Max(input, window, channel, float.NegativeInfinity);
                    int at = FirstIndexOf(input, window, channel, largest);
                    if (largest >= min && largest <= max && at >= 0)
                    {
                        inputGrad[at] += outputGrad[(outY * p.OutputW + outX) * p.Channels + channel];
                    }
                }
            }
        }
    }

    /// <summary>The largest in-image value of one channel of a window, from lowest up (a NaN never compares greater).</summary>
    private static T Max<T>(ReadOnlySpan<T> input, PoolWindow window, int channel, T lowest) where T : INumber<T>
    {
        T max = lowest;
        foreach (int index in window.Inputs(channel))
        {
            if (input[index] > max)
            {
                max = input[index];
            }
        }

        return max;
    }

    /// <summary>The input index of the first in-image position in scan order whose value == target, or -1.</summary>
    private static int FirstIndexOf<T>(ReadOnlySpan<T> input, PoolWindow window, int channel, T target) where T : INumber<T>
    {
        foreach (int index in window.Inputs(channel))
        {
            if (input[index] == target)
            {
                return index;
            }
        }

        return -1;
    }

    /// <summary>The shape fields (Rounding is not read), an input-shaped span and an output-shaped one.</summary>
    private static void ValidateShapes<TIn, TOut>(PoolParams p, ReadOnlySpan<TIn> input, ReadOnlySpan<TOut> output,
        [CallerArgumentExpression(nameof(input))] string inputName = "", [CallerArgumentExpression(nameof(output))] string outputName = "")
    {
        AveragePool2D.ValidateShape(p);
        Check.Length(input, (long)p.InputH * p.InputW * p.Channels, inputName);
        Check.Length(output, (long)p.OutputH * p.OutputW * p.Channels, outputName);
    }
}
