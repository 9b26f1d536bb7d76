using System.Collections.Immutable;

namespace TinyTrain.Ir;

/// <summary>The op table: one instance of every op, which every stage reads (nodes compare ops by reference).</summary>
public static class Ops
{
    public static readonly InputOp Input = new();
    public static readonly ConstantOp Constant = new();

    public static readonly Conv2DOp Conv2D = new();
    public static readonly DepthwiseConv2DOp DepthwiseConv2D = new();
    public static readonly FullyConnectedOp FullyConnected = new();
    public static readonly AddOp Add = new();
    public static readonly AveragePool2DOp AveragePool2D = new();
    public static readonly MaxPool2DOp MaxPool2D = new();
    public static readonly MeanOp Mean = new();
    public static readonly ReshapeOp Reshape = new();
    public static readonly SoftmaxOp Softmax = new();
    public static readonly PadOp Pad = new();

    // Training: the loss, the backward ops and the update. Gradients are fp32 with respect to the integer values.
    public static readonly DequantizeOp Dequantize = new();
    public static readonly SoftmaxCrossEntropyOp SoftmaxCrossEntropy = new();
    public static readonly SoftmaxCrossEntropyGradOp SoftmaxCrossEntropyGrad = new();
    public static readonly ClampMaskOp ClampMask = new();
    public static readonly RequantGradOp RequantGrad = new();
    public static readonly ConvInputGradOp Conv2DInputGrad = new("Conv2DInputGrad");
    public static readonly ConvFilterGradOp Conv2DFilterGrad = new("Conv2DFilterGrad");
    public static readonly ConvInputGradOp DepthwiseConv2DInputGrad = new("DepthwiseConv2DInputGrad");
    public static readonly ConvFilterGradOp DepthwiseConv2DFilterGrad = new("DepthwiseConv2DFilterGrad");
    public static readonly ConvInputGradOp FullyConnectedInputGrad = new("FullyConnectedInputGrad");
    public static readonly ConvFilterGradOp FullyConnectedFilterGrad = new("FullyConnectedFilterGrad");
    public static readonly BiasGradOp BiasGrad = new();
    public static readonly AveragePool2DGradOp AveragePool2DGrad = new();
    public static readonly MaxPool2DGradOp MaxPool2DGrad = new();
    public static readonly GradAddOp GradAdd = new();
    public static readonly SgdUpdateOp SgdUpdate = new();

    public static ImmutableArray<Op> All { get; } =
    [
        Input, Constant, Conv2D, DepthwiseConv2D, FullyConnected, Add, AveragePool2D, MaxPool2D, Mean, Reshape, Softmax, Pad,
        Dequantize, SoftmaxCrossEntropy, SoftmaxCrossEntropyGrad, ClampMask, RequantGrad, Conv2DInputGrad, Conv2DFilterGrad,
        DepthwiseConv2DInputGrad, DepthwiseConv2DFilterGrad, FullyConnectedInputGrad, FullyConnectedFilterGrad, BiasGrad,
        AveragePool2DGrad, MaxPool2DGrad, GradAdd, SgdUpdate,
    ];

    public static Op? Find(string name) => All.FirstOrDefault(op => op.Name == name);
}
