using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace TinyTrain.Kernels;

/// <summary>
/// Backward of the average pool (paper-notes §2.2: broadcast g_y / count), and its fp32 forward for the fp32
/// baseline. The int8 pool's clamp is not masked: with the full int8 range an average of int8 values never
/// leaves it, which is how the paper's models use the pool.
/// </summary>
public static partial class AveragePool2D
{
    /// <summary>
    /// inputGrad[iy, ix, c] = sum over the windows (oy, ox) covering (iy, ix) of outputGrad[oy, ox, c] / count(oy,
    /// ox), count being the window's in-image positions (padding takes no gradient). Overwrites inputGrad; the
    /// windows add in (oy, ox) order, each share one float32 division.
    /// </summary>
    internal static void Backward(PoolParams p, ReadOnlySpan<float> outputGrad, Span<float> inputGrad, VectorWidth width)
    {
        ValidateGeometry(p);
        Check.Length(outputGrad, (long)p.OutputH * p.OutputW * p.Channels, nameof(outputGrad));
        Check.Length(inputGrad, (long)p.InputH * p.InputW * p.Channels, nameof(inputGrad));
        inputGrad.Clear();
        if (width == VectorWidth.Scalar) BackwardReference(p, outputGrad, inputGrad);
        else BackwardVectorized(p, outputGrad, inputGrad, width);
    }

    /// <summary>The spec, on validated arguments and a cleared inputGrad.</summary>
    private static void BackwardReference(PoolParams p, ReadOnlySpan<float> outputGrad, Span<float> inputGrad)
    {
        for (int outY = 0; outY < p.OutputH; outY++)
        {
            for (int outX = 0; outX < p.OutputW; outX++)
            {
                var window = PoolWindow.At(p, outY, outX);
                for (int channel = 0; channel < p.Channels; channel++)
                {
                    float share = outputGrad[(outY * p.OutputW + outX) * p.Channels + channel] / (float)window.Count;
                    foreach (int index in window.Inputs(channel))
                    {
                        inputGrad[index] += share;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Per output pixel, the channel row of shares outputGrad[oy, ox, :] / count is divided once (one IEEE
    /// division per lane, as the scalar one), then added to every in-image input row of the window with
    /// <see cref="Elementwise.AddInPlace"/>. A window touches an input pixel at most once, so every element still
    /// takes its terms in the reference's (oy, ox) order.
    /// </summary>
    private static void BackwardVectorized(PoolParams p, ReadOnlySpan<float> outputGrad, Span<float> inputGrad, VectorWidth width)
    {
        int channels = p.Channels;
        Span<float> shares = channels <= MaxStackChannels ? stackalloc float[channels] : new float[channels];
        for (int outY = 0; outY < p.OutputH; outY++)
        {
            for (int outX = 0; outX < p.OutputW; outX++)
            {
                var window = PoolWindow.At(p, outY, outX);
                Divide(width, outputGrad.Slice((outY * p.OutputW + outX) * channels, channels), (float)window.Count, shares);
                foreach (int pixel in window.Inputs(0))
                {
                    Elementwise.AddInPlace(inputGrad.Slice(pixel, channels), shares, width);
                }
            }
        }
    }

    // The share row lives on the stack up to this many channels.
    private const int MaxStackChannels = 2048;

    /// <summary>quotient[i] = x[i] / d, correctly rounded lane by lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Divide(VectorWidth width, ReadOnlySpan<float> x, float d, Span<float> quotient)
    {
        int i = 0;
        if (width >= VectorWidth.Bits512)
        {
            i = Divide<Simd512, Vector512<sbyte>, Vector512<short>, Vector512<int>, Vector512<float>>(x, d, quotient, i);
        }

        if (width >= VectorWidth.Bits256)
        {
            i = Divide<Simd256, Vector256<sbyte>, Vector256<short>, Vector256<int>, Vector256<float>>(x, d, quotient, i);
        }

        if (width >= VectorWidth.Bits128)
        {
            i = Divide<Simd128, Vector128<sbyte>, Vector128<short>, Vector128<int>, Vector128<float>>(x, d, quotient, i);
        }

        for (; i < quotient.Length; i++)
        {
            quotient[i] = x[i] / d;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Divide<W, B, S, I, F>(ReadOnlySpan<float> x, float d, Span<float> quotient, int i)
        where W : ISimd<B, S, I, F>
    {
        int length = quotient.Length;
        ref float xs = ref MemoryMarshal.GetReference(x[..length]);
        ref float qs = ref MemoryMarshal.GetReference(quotient);
        var divisor = W.Create(d);
        for (; i <= length - W.Lanes; i += W.Lanes)
        {
            W.Store(W.Divide(W.Load(ref xs, (nuint)i), divisor), ref qs, (nuint)i);
        }

        return i;
    }

    /// <summary>The fp32 forward: y[oy, ox, c] = (sum of in-image x[iy, ix, c], row by row) / count, no clamp.</summary>
    public static void ForwardFloat(PoolParams p, ReadOnlySpan<float> input, Span<float> output)
    {
        ValidateGeometry(p);
        Check.Length(input, (long)p.InputH * p.InputW * p.Channels, nameof(input));
        Check.Length(output, (long)p.OutputH * p.OutputW * p.Channels, nameof(output));
        for (int outY = 0; outY < p.OutputH; outY++)
        {
            for (int outX = 0; outX < p.OutputW; outX++)
            {
                var window = PoolWindow.At(p, outY, outX);
                for (int channel = 0; channel < p.Channels; channel++)
                {
                    float sum = 0;
                    foreach (int index in window.Inputs(channel))
                    {
                        sum += input[index];
                    }

                    output[(outY * p.OutputW + outX) * p.Channels + channel] = sum / (float)window.Count;
                }
            }
        }
    }
}
