namespace TinyTrain.Formats.Onnx;

// Field numbers of the subset of ONNX's onnx.proto (IR version 7) that the exporter writes, written out from the
// ONNX specification. Repeated scalars are written unpacked (proto2 style, which every parser accepts).

internal static class ModelProtoF
{
    public const int IrVersion = 1, ProducerName = 2, ProducerVersion = 3, DocString = 6, Graph = 7, OpsetImport = 8;
}

internal static class OperatorSetIdF
{
    public const int Domain = 1, Version = 2;
}

internal static class GraphProtoF
{
    public const int Node = 1, Name = 2, Initializer = 5, DocString = 10, Input = 11, Output = 12;
}

internal static class NodeProtoF
{
    public const int Input = 1, Output = 2, Name = 3, OpType = 4, Attribute = 5, Domain = 7;
}

internal static class AttributeProtoF
{
    public const int Name = 1, F = 2, I = 3, Ints = 8, Type = 20;

    // AttributeProto.AttributeType
    public const int TypeFloat = 1, TypeInt = 2, TypeInts = 7;
}

internal static class TensorProtoF
{
    public const int Dims = 1, DataType = 2, Name = 8, RawData = 9;
}

internal static class ValueInfoF
{
    public const int Name = 1, Type = 2;
}

internal static class TypeProtoF
{
    public const int TensorType = 1;       // TypeProto.tensor_type
    public const int ElemType = 1, Shape = 2; // TypeProto.Tensor
    public const int Dim = 1;              // TensorShapeProto.dim
    public const int DimValue = 1;         // TensorShapeProto.Dimension.dim_value
}

/// <summary>TensorProto.DataType values.</summary>
internal enum OnnxType
{
    Float = 1,
    UInt8 = 2,
    Int8 = 3,
    Int32 = 6,
    Int64 = 7,
}
