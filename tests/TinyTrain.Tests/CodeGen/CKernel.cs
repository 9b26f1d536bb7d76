namespace TinyTrain.Tests.CodeGen;

/// <summary>Kernel ids of kernel_driver.c's request format (the numbers are its switch cases).</summary>
internal enum CKernel
{
    Conv2DForward = 1,
    Conv2DForwardWithMask = 2,
    Conv2DInputGrad = 3,
    Conv2DInputGradFloat = 4,
    Conv2DFilterGrad = 5,
    Conv2DFilterGradFloat = 6,
    Conv2DForwardFloat = 7,
    Conv2DForwardFloatWithMask = 8,
    Conv2DFilterGradWindow = 9,
    Conv2DFilterGradWindowFloat = 10,

    DepthwiseConv2DForward = 11,
    DepthwiseConv2DForwardWithMask = 12,
    DepthwiseConv2DInputGrad = 13,
    DepthwiseConv2DInputGradFloat = 14,
    DepthwiseConv2DFilterGrad = 15,
    DepthwiseConv2DFilterGradFloat = 16,
    DepthwiseConv2DForwardFloat = 17,
    DepthwiseConv2DForwardFloatWithMask = 18,
    ConvDepthwiseForward = 19,

    FullyConnectedForward = 21,
    FullyConnectedForwardWithMask = 22,
    FullyConnectedInputGrad = 23,
    FullyConnectedInputGradFloat = 24,
    FullyConnectedFilterGrad = 25,
    FullyConnectedFilterGradFloat = 26,
    FullyConnectedForwardFloat = 27,
    FullyConnectedForwardFloatWithMask = 28,
    FullyConnectedFilterGradWindow = 29,
    FullyConnectedFilterGradWindowFloat = 30,

    AddForward = 31,
    AddForwardWithMask = 32,
    AddForwardFloat = 35,
    AddForwardFloatWithMask = 36,

    AveragePool2DForward = 41,
    AveragePool2DBackward = 42,
    AveragePool2DForwardFloat = 43,
    MaxPool2DForward = 44,
    MaxPool2DBackward = 45,
    MaxPool2DForwardFloat = 46,
    MaxPool2DBackwardFloat = 47,

    MeanForward = 51,
    SoftmaxForward = 52,
    PadForward = 53,

    RequantAccumulatorGrad = 61,
    RequantScaleGrad = 62,
    BiasGrad = 63,
    ElementwiseAddInPlace = 64,
    ElementwiseAdd = 65,

    SoftmaxCrossEntropyForward = 71,
    SoftmaxCrossEntropyDequantize = 72,
    SoftmaxCrossEntropyPredict = 73,

    SgdRoundMasterToInt8 = 85,
    SgdRoundMasterToInt32 = 86,

    SgdSliceUpdateInt8 = 91,
    SgdSliceUpdateInt32 = 92,
    SgdSliceUpdateMaster = 93,
    SgdSliceUpdateFloat = 94,
    SgdSliceRoundToInt8 = 95,
    SgdSliceRoundToInt32 = 96,
    SliceMerge = 97,

    FixedPoint = 100,
}
