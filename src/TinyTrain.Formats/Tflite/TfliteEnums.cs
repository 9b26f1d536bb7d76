namespace TinyTrain.Formats.Tflite;

/// <summary>TFLite TensorType (schema names and values). Newer codes in a file stay numeric.</summary>
public enum TfliteTensorType : byte
{
    FLOAT32 = 0,
    FLOAT16 = 1,
    INT32 = 2,
    UINT8 = 3,
    INT64 = 4,
    STRING = 5,
    BOOL = 6,
    INT16 = 7,
    COMPLEX64 = 8,
    INT8 = 9,
    FLOAT64 = 10,
    COMPLEX128 = 11,
    UINT64 = 12,
    RESOURCE = 13,
    VARIANT = 14,
    UINT32 = 15,
    UINT16 = 16,
    INT4 = 17,
}

/// <summary>Schema enum Padding.</summary>
public enum TflitePadding : byte
{
    Same = 0,
    Valid = 1,
}

/// <summary>Schema enum ActivationFunctionType.</summary>
public enum TfliteActivation : byte
{
    None = 0,
    Relu = 1,
    ReluN1To1 = 2,
    Relu6 = 3,
    Tanh = 4,
    SignBit = 5,
}

/// <summary>Schema enum FullyConnectedOptionsWeightsFormat.</summary>
public enum TfliteWeightsFormat : byte
{
    Default = 0,
    Shuffled4x16Int8 = 1,
}

/// <summary>
/// Numbers of the schema's BuiltinOptions union (position in the union, NONE = 0). Only the members this
/// reader decodes are named; an operator keeps any other number as is, with null options.
/// </summary>
public enum TfliteBuiltinOptionsType : byte
{
    None = 0,
    Conv2DOptions = 1,
    DepthwiseConv2DOptions = 2,
    Pool2DOptions = 5,
    FullyConnectedOptions = 8,
    SoftmaxOptions = 9,
    ConcatenationOptions = 10,
    AddOptions = 11,
    ReshapeOptions = 17,
    MulOptions = 21,
    PadOptions = 22,
    ReducerOptions = 27,
    SubOptions = 28,
    StridedSliceOptions = 32,
    ShapeOptions = 55,
    PackOptions = 59,
    UnidirectionalSequenceLSTMOptions = 71,
}
