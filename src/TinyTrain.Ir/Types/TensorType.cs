namespace TinyTrain.Ir;

/// <summary>The static type of one tensor: element type, shape and (for integer tensors) quantisation.</summary>
public sealed record TensorType(DType DType, Shape Shape, QuantParams? Quant = null)
{
    public long Elements => Shape.Elements;
    public long SizeInBytes => DType == DType.Bit ? (Shape.Elements + 7) / 8 : Shape.Elements * DType.SizeInBytes();

    public override string ToString() => $"{DType.Name()}{Shape}" + (Quant is null ? "" : " " + Quant);
}
