namespace TinyTrain.Kernels;

/// <summary>
/// The sliding window of a convolution (<see cref="Conv2DParams"/>, <see cref="DepthwiseConv2DParams"/>), by the names
/// both records give it: output pixel (oy, ox) and filter tap (ky, kx) read input pixel (oy * StrideH - PadTop +
/// ky * DilationH, ox * StrideW - PadLeft + kx * DilationW), skipped outside the image.
/// </summary>
internal interface IWindowParams
{
    int InputH { get; }
    int InputW { get; }
    int InputC { get; }
    int OutputH { get; }
    int OutputW { get; }
    int KernelH { get; }
    int KernelW { get; }
    int StrideH { get; }
    int StrideW { get; }
    int DilationH { get; }
    int DilationW { get; }
    int PadTop { get; }
    int PadLeft { get; }
}

/// <summary>
/// What the checks of an int8 conv-like op (conv, depthwise conv, fully connected) read, so <see cref="ConvLike"/>
/// writes them once. Lengths are element counts of the op's tensors.
/// </summary>
internal interface IConvLikeParams
{
    int InputZeroPoint { get; }
    int OutputZeroPoint { get; }
    int ActMin { get; }
    int ActMax { get; }
    Requantization Requant { get; }

    /// <summary>The filter's zero point: 0 for the convolutions (symmetric filters).</summary>
    int FilterZeroPoint { get; }

    /// <summary>The channels of one input pixel (or row): what a filter gradient selects from.</summary>
    int InputChannels { get; }

    int OutputChannels { get; }
    long InputLength { get; }
    long OutputLength { get; }
    long FilterLength { get; }

    /// <summary>Elements of the filter gradient of one output channel (for the depthwise conv, of the whole filter) for <paramref name="selected"/> input channels.</summary>
    long FilterGradPerOutput(int selected);

    /// <summary>Elements of the whole filter gradient for <paramref name="selected"/> input channels.</summary>
    long FilterGradLength(int selected);

    /// <summary>Throws unless every shape field is in range.</summary>
    void ValidateGeometry();
}
