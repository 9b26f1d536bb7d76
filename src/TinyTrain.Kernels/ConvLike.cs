using System.Numerics;

namespace TinyTrain.Kernels;

/// <summary>
/// The argument checks of the conv-like ops (<see cref="Conv2D"/>, <see cref="DepthwiseConv2D"/>,
/// <see cref="FullyConnected"/>), written once over <see cref="IConvLikeParams"/>: each op's entry point checks
/// through here, then runs its reference loops (<see cref="VectorWidth.Scalar"/>) or its SIMD path.
/// </summary>
internal static class ConvLike
{
    public static void ValidateGeometry(IConvLikeParams p)
    {
        ArgumentNullException.ThrowIfNull(p);
        p.ValidateGeometry();
    }

    /// <summary>The window fields both convolution records share (each checks its own channel field).</summary>
    public static void ValidateWindow(IWindowParams p)
    {
        Check.Positive(p.InputH, nameof(p.InputH));
        Check.Positive(p.InputW, nameof(p.InputW));
        Check.Positive(p.InputC, nameof(p.InputC));
        Check.Positive(p.OutputH, nameof(p.OutputH));
        Check.Positive(p.OutputW, nameof(p.OutputW));
        Check.Positive(p.KernelH, nameof(p.KernelH));
        Check.Positive(p.KernelW, nameof(p.KernelW));
        Check.Positive(p.StrideH, nameof(p.StrideH));
        Check.Positive(p.StrideW, nameof(p.StrideW));
        Check.Positive(p.DilationH, nameof(p.DilationH));
        Check.Positive(p.DilationW, nameof(p.DilationW));
    }

    /// <summary>
    /// The int8 forward: shape, zero points, activation range, requantisation, every length, and the clamp mask (one
    /// bit per output, cleared here; empty: none).
    /// </summary>
    public static void ValidateForward(IConvLikeParams p, int input, int filter, int bias, int output, Span<byte> mask)
    {
        ValidateCall(p, input, bias, output);
        Check.Count(filter, p.FilterLength, "filter");
        ClampMask.Prepare(mask, p.OutputLength);
    }

    /// <summary>
    /// The int8 forward with a filter packed ahead of time for <paramref name="packedFor"/>: everything but the
    /// filter's length, and that the filter was packed for these params.
    /// </summary>
    public static void ValidatePacked(IConvLikeParams p, IConvLikeParams packedFor, int input, int bias, int output)
    {
        ArgumentNullException.ThrowIfNull(packedFor);
        ValidateCall(p, input, bias, output);
        if (!ReferenceEquals(packedFor, p) && !packedFor.Equals(p))
        {
            throw new ArgumentException($"the filter was packed for other params than these: {p}", "packed");
        }
    }

    private static void ValidateCall(IConvLikeParams p, int input, int bias, int output)
    {
        ValidateGeometry(p);
        Check.Int8(p.InputZeroPoint, nameof(p.InputZeroPoint));
        Check.Int8(p.FilterZeroPoint, nameof(p.FilterZeroPoint));
        Check.Int8(p.OutputZeroPoint, nameof(p.OutputZeroPoint));
        Check.ActivationRange(p.ActMin, p.ActMax);
        Requantizer.Validate(p.Requant, p.OutputChannels);
        Check.Count(input, p.InputLength, "input");
        Check.Bias(bias, p.OutputChannels);
        Check.Count(output, p.OutputLength, "output");
    }

    /// <summary>The fp32 forward: shape, clamp range, lengths and mask; zero points and requantisation are not read.</summary>
    public static void ValidateFloat(IConvLikeParams p, int input, int filter, int bias, int output, float min, float max, Span<byte> mask)
    {
        ValidateGeometry(p);
        ClampMask.ValidateRange(min, max);
        ValidateLengths(p, input, filter, bias, output);
        ClampMask.Prepare(mask, p.OutputLength);
    }

    /// <summary>Returns the filter's zero point the input gradient subtracts: the params' for int8 weights, 0 for fp32 ones.</summary>
    public static int ValidateInputGrad<T>(IConvLikeParams p, int accGrad, ReadOnlySpan<T> filter, int inputGrad)
        where T : unmanaged, INumberBase<T>
    {
        ValidateGeometry(p);
        Check.Count(accGrad, p.OutputLength, "accGrad");
        Check.Count(filter.Length, p.FilterLength, "filter");
        Check.Count(inputGrad, p.InputLength, "inputGrad");
        return ZeroPoint<T>(p.FilterZeroPoint, nameof(p.FilterZeroPoint));
    }

    /// <summary>
    /// The filter gradient of output channels [firstOutput, firstOutput + outputs), filterGrad holding whole channels
    /// from <paramref name="firstOutput"/> on (null: the whole gradient, every channel). Returns the input's zero point
    /// the gradient subtracts: the params' for an int8 input, 0 for an fp32 one.
    /// </summary>
    public static int ValidateFilterGrad<T>(
        IConvLikeParams p, ReadOnlySpan<T> input, int accGrad, ReadOnlySpan<int> inputChannels, int? firstOutput, int filterGrad, out int outputs)
        where T : unmanaged, INumberBase<T>
    {
        ValidateGeometry(p);
        Check.Count(input.Length, p.InputLength, "input");
        Check.Count(accGrad, p.OutputLength, "accGrad");
        Check.Channels(inputChannels, p.InputChannels, nameof(inputChannels));
        if (firstOutput is int first)
        {
            outputs = Check.OutputWindow(filterGrad, (int)p.FilterGradPerOutput(inputChannels.Length), first, p.OutputChannels, nameof(filterGrad));
        }
        else
        {
            Check.Count(filterGrad, p.FilterGradLength(inputChannels.Length), nameof(filterGrad));
            outputs = p.OutputChannels;
        }

        return ZeroPoint<T>(p.InputZeroPoint, nameof(p.InputZeroPoint));
    }

    private static void ValidateLengths(IConvLikeParams p, int input, int filter, int bias, int output)
    {
        Check.Count(input, p.InputLength, "input");
        Check.Count(filter, p.FilterLength, "filter");
        Check.Bias(bias, p.OutputChannels);
        Check.Count(output, p.OutputLength, "output");
    }

    private static int ZeroPoint<T>(int zeroPoint, string name)
    {
        if (typeof(T) != typeof(sbyte))
        {
            return 0;
        }

        Check.Int8(zeroPoint, name);
        return zeroPoint;
    }
}
