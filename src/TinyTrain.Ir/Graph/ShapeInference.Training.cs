namespace TinyTrain.Ir;

public static partial class ShapeInference
{
    private static TensorType InferTraining(OpKind kind, OpAttrs attrs, Func<int, Node> input, string name)
    {
        TensorType Float(Shape shape) => new(DType.Float32, shape);
        Node Gradient(int i)
        {
            var g = input(i);
            Expect(g.Type.DType == DType.Float32, name, $"{kind} needs an fp32 gradient, {g.Name} is {g.Type.DType.Name()}");
            return g;
        }

        switch (kind)
        {
            case OpKind.Dequantize:
                Expect(input(0).Quant is { IsPerTensor: true }, name, "dequantize needs a per-tensor quantised input");
                return Float(input(0).Shape);
            case OpKind.SoftmaxCrossEntropy:
            case OpKind.SoftmaxCrossEntropyGrad:
            {
                var logits = Gradient(0);
                var label = input(1);
                Expect(logits.Shape.Rank == 2 && logits.Shape[0] == 1, name, $"logits must be [1, N], got {logits.Shape}");
                Expect(label.Type.DType == DType.Int32 && label.Shape.Elements == 1, name, "the label must be one int32");
                return Float(kind == OpKind.SoftmaxCrossEntropy ? new Shape(1) : logits.Shape);
            }
            case OpKind.ClampMask:
                Expect(OpTraits.IsConvLike(input(0).Kind) || input(0).Kind == OpKind.Add, name, $"{input(0).Name} ({input(0).Kind}) has no clamp");
                return new TensorType(DType.Bit, input(0).Shape);
            case OpKind.RequantGrad:
            {
                var g = Gradient(0);
                var scales = ((RequantGradAttrs)attrs).Scales;
                Expect(scales.Length == 1 || scales.Length == g.Shape[-1], name, $"{scales.Length} scales for {g.Shape[-1]} channels");
                return Float(g.Shape);
            }
            case OpKind.Conv2DInputGrad:
            case OpKind.DepthwiseConv2DInputGrad:
            case OpKind.FullyConnectedInputGrad:
            {
                var forward = ((ConvGradAttrs)attrs).Forward;
                Expect(Gradient(0).Shape == forward.Shape, name, $"gradient {input(0).Shape} does not match {forward.Name}'s output {forward.Shape}");
                return Float(forward.Input(0).Shape);
            }
            case OpKind.Conv2DFilterGrad:
            case OpKind.DepthwiseConv2DFilterGrad:
            case OpKind.FullyConnectedFilterGrad:
            {
                var a = (ConvGradAttrs)attrs;
                var filter = a.Forward.Input(1).Shape;
                Expect(Gradient(1).Shape == a.Forward.Shape, name, $"gradient {input(1).Shape} does not match {a.Forward.Name}'s output");
                Expect(ReferenceEquals(input(0), a.Forward.Input(0)), name, "a filter gradient reads its forward op's input");
                var inner = kind == OpKind.DepthwiseConv2DFilterGrad ? filter[3] : filter[-1];
                Expect(a.Channels.Length > 0 && a.Channels.All(c => c >= 0 && c < inner), name, $"trained channels must be within 0..{inner - 1}");
                return Float(kind switch
                {
                    OpKind.Conv2DFilterGrad => new Shape(filter[0], filter[1], filter[2], a.Channels.Length),
                    OpKind.DepthwiseConv2DFilterGrad => new Shape(1, filter[1], filter[2], a.Channels.Length),
                    _ => new Shape(filter[0], a.Channels.Length),
                });
            }
            case OpKind.BiasGrad:
                return Float(new Shape(Gradient(0).Shape[-1]));
            case OpKind.AveragePool2DGrad:
            {
                var forward = ((PoolGradAttrs)attrs).Forward;
                Expect(Gradient(0).Shape == forward.Shape, name, $"gradient {input(0).Shape} does not match {forward.Name}'s output");
                return Float(forward.Input(0).Shape);
            }
            case OpKind.GradAdd:
                Expect(Gradient(0).Shape == Gradient(1).Shape, name, $"cannot add gradients {input(0).Shape} and {input(1).Shape}");
                return Float(input(0).Shape);
            case OpKind.SgdUpdate:
            {
                var parameter = input(0);
                Expect(parameter.Kind == OpKind.Constant, name, $"{parameter.Name} is not a parameter");
                Gradient(1);
                return parameter.Type;
            }
            default:
                throw new IrException($"{name}: no shape rule for {kind}");
        }
    }
}
