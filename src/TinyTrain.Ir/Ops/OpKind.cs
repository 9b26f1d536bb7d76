namespace TinyTrain.Ir;

/// <summary>Every op of the IR. One op is one name across IR, kernel, vectorised kernel, C emitter and C file.</summary>
public enum OpKind
{
    Input,
    Constant,
    Conv2D,
    DepthwiseConv2D,
    FullyConnected,
    Add,
    AveragePool2D,
    Mean,
    Reshape,
    Softmax,
    Pad,

    // Training: the loss, the backward ops and the update. Gradients are fp32 with respect to the integer values.
    Dequantize,
    SoftmaxCrossEntropy,
    SoftmaxCrossEntropyGrad,
    ClampMask,
    RequantGrad,
    Conv2DInputGrad,
    Conv2DFilterGrad,
    DepthwiseConv2DInputGrad,
    DepthwiseConv2DFilterGrad,
    FullyConnectedInputGrad,
    FullyConnectedFilterGrad,
    BiasGrad,
    AveragePool2DGrad,
    GradAdd,
    SgdUpdate,
}

/// <summary>Op traits as data (tinygrad's GroupOp): passes ask a question instead of dispatching on classes.</summary>
public static class OpTraits
{
    public static bool IsLeaf(OpKind kind) => kind is OpKind.Input or OpKind.Constant;

    /// <summary>Ops with a trainable filter and bias: the candidates of a sparse-update scheme.</summary>
    public static bool IsConvLike(OpKind kind) => kind is OpKind.Conv2D or OpKind.DepthwiseConv2D or OpKind.FullyConnected;

    /// <summary>Ops of the backward pass and the optimiser, which exist only in training graphs.</summary>
    public static bool IsBackward(OpKind kind) => kind >= OpKind.SoftmaxCrossEntropyGrad;

    /// <summary>Ops that produce a parameter's gradient.</summary>
    public static bool IsParameterGrad(OpKind kind) =>
        kind is OpKind.Conv2DFilterGrad or OpKind.DepthwiseConv2DFilterGrad or OpKind.FullyConnectedFilterGrad or OpKind.BiasGrad;

    /// <summary>Ops that propagate a gradient to an activation.</summary>
    public static bool IsInputGrad(OpKind kind) =>
        kind is OpKind.Conv2DInputGrad or OpKind.DepthwiseConv2DInputGrad or OpKind.FullyConnectedInputGrad or OpKind.AveragePool2DGrad;

    public static int InputCount(OpKind kind) => kind switch
    {
        OpKind.Input or OpKind.Constant => 0,
        OpKind.Conv2D or OpKind.DepthwiseConv2D or OpKind.FullyConnected => 3, // bias optional
        OpKind.Add or OpKind.SoftmaxCrossEntropy or OpKind.SoftmaxCrossEntropyGrad or OpKind.GradAdd or OpKind.SgdUpdate => 2,
        OpKind.RequantGrad => 2, // mask optional
        OpKind.Conv2DInputGrad or OpKind.DepthwiseConv2DInputGrad or OpKind.FullyConnectedInputGrad => 2, // gradient, filter
        OpKind.Conv2DFilterGrad or OpKind.DepthwiseConv2DFilterGrad or OpKind.FullyConnectedFilterGrad => 2, // input, gradient
        _ => 1,
    };
}
