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
}

/// <summary>Op traits as data (tinygrad's GroupOp): passes ask a question instead of dispatching on classes.</summary>
public static class OpTraits
{
    public static bool IsLeaf(OpKind kind) => kind is OpKind.Input or OpKind.Constant;

    /// <summary>Ops with a trainable filter and bias: the candidates of a sparse-update scheme.</summary>
    public static bool IsConvLike(OpKind kind) => kind is OpKind.Conv2D or OpKind.DepthwiseConv2D or OpKind.FullyConnected;

    /// <summary>Ops whose output bytes equal their input bytes (a view).</summary>
    public static bool IsMovement(OpKind kind) => kind is OpKind.Reshape;

    public static int InputCount(OpKind kind) => kind switch
    {
        OpKind.Input or OpKind.Constant => 0,
        OpKind.Conv2D or OpKind.DepthwiseConv2D or OpKind.FullyConnected => 3, // bias optional
        OpKind.Add => 2,
        _ => 1,
    };
}
