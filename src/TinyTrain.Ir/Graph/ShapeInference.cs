namespace TinyTrain.Ir;

/// <summary>Output type of each op from its operands and attributes. Throws <see cref="IrException"/> on a mismatch.</summary>
public static partial class ShapeInference
{
    public static TensorType Infer(OpKind kind, OpAttrs attrs, IReadOnlyList<Node?> inputs, QuantParams? quant, string name)
    {
        Node In(int i) => i < inputs.Count && inputs[i] is { } n ? n : throw new IrException($"{name}: {kind} needs operand {i}");
        switch (kind)
        {
            case OpKind.Conv2D:
            {
                var a = (Conv2DAttrs)attrs;
                var x = In(0).Shape;
                var w = In(1).Shape; // OHWI
                Expect(x.Rank == 4 && w.Rank == 4, name, $"conv needs NHWC input and OHWI filter, got {x} and {w}");
                Expect(w[3] == x[3], name, $"filter {w} does not match {x[3]} input channels");
                var oh = OutputSize(x[1], w[1], a.StrideH, a.DilationH, a.Padding.Top + a.Padding.Bottom, name);
                var ow = OutputSize(x[2], w[2], a.StrideW, a.DilationW, a.Padding.Left + a.Padding.Right, name);
                return new TensorType(In(0).Type.DType, new Shape(x[0], oh, ow, w[0]), quant);
            }
            case OpKind.DepthwiseConv2D:
            {
                var a = (DepthwiseConv2DAttrs)attrs;
                var x = In(0).Shape;
                var w = In(1).Shape; // 1HWC
                Expect(x.Rank == 4 && w.Rank == 4 && w[0] == 1, name, $"depthwise needs NHWC input and 1HWC filter, got {x} and {w}");
                Expect(w[3] == x[3] * a.DepthMultiplier, name, $"filter {w} does not match {x[3]} channels x {a.DepthMultiplier}");
                var oh = OutputSize(x[1], w[1], a.StrideH, a.DilationH, a.Padding.Top + a.Padding.Bottom, name);
                var ow = OutputSize(x[2], w[2], a.StrideW, a.DilationW, a.Padding.Left + a.Padding.Right, name);
                return new TensorType(In(0).Type.DType, new Shape(x[0], oh, ow, w[3]), quant);
            }
            case OpKind.FullyConnected:
            {
                var x = In(0).Shape;
                var w = In(1).Shape; // [out, in]
                Expect(w.Rank == 2 && x.Elements % w[1] == 0, name, $"input {x} does not split into rows of {w[1]}");
                Expect(In(1).Type.DType == In(0).Type.DType, name, $"filter is {In(1).Type.DType.Name()}, input is {In(0).Type.DType.Name()}");
                return new TensorType(In(0).Type.DType, new Shape((int)(x.Elements / w[1]), w[0]), quant);
            }
            case OpKind.Add:
                Expect(In(0).Shape == In(1).Shape, name, $"add operands differ: {In(0).Shape} and {In(1).Shape}");
                Expect(In(0).Type.DType == In(1).Type.DType, name, "add operands differ in type");
                return new TensorType(In(0).Type.DType, In(0).Shape, quant);
            case OpKind.AveragePool2D:
            {
                var a = (AveragePool2DAttrs)attrs;
                var x = In(0).Shape;
                Expect(x.Rank == 4, name, $"pool needs NHWC, got {x}");
                var oh = OutputSize(x[1], a.FilterH, a.StrideH, 1, a.Padding.Top + a.Padding.Bottom, name);
                var ow = OutputSize(x[2], a.FilterW, a.StrideW, 1, a.Padding.Left + a.Padding.Right, name);
                return new TensorType(In(0).Type.DType, new Shape(x[0], oh, ow, x[3]), quant);
            }
            case OpKind.Mean:
            {
                var x = In(0).Shape;
                Expect(x.Rank == 4, name, $"mean over H,W needs NHWC, got {x}");
                var shape = ((MeanAttrs)attrs).KeepDims ? new Shape(x[0], 1, 1, x[3]) : new Shape(x[0], x[3]);
                return new TensorType(DType.Int8, shape, quant);
            }
            case OpKind.Reshape:
            {
                var target = ((ReshapeAttrs)attrs).NewShape;
                Expect(target.Elements == In(0).Shape.Elements, name, $"cannot reshape {In(0).Shape} to {target}");
                return new TensorType(In(0).Type.DType, target, quant);
            }
            case OpKind.Softmax:
                return new TensorType(DType.Int8, In(0).Shape, quant);
            case OpKind.Pad:
            {
                var a = (PadAttrs)attrs;
                var x = In(0).Shape;
                Expect(x.Rank == 4, name, $"pad needs NHWC, got {x}");
                var p = a.Spatial;
                return new TensorType(In(0).Type.DType,
                    new Shape(x[0], x[1] + p.Top + p.Bottom, x[2] + p.Left + p.Right, x[3] + a.ChannelsBefore + a.ChannelsAfter), quant);
            }
            default:
                return InferTraining(kind, attrs, In, name);
        }
    }

    public static int OutputSize(int input, int kernel, int stride, int dilation, int totalPad, string name)
    {
        Expect(stride > 0 && dilation > 0 && kernel > 0, name, $"stride {stride}, dilation {dilation}, kernel {kernel} must be positive");
        var effective = (kernel - 1) * dilation + 1;
        var span = input + totalPad - effective;
        Expect(span >= 0, name, $"kernel {kernel} (dilation {dilation}) is larger than the padded input {input}+{totalPad}");
        return span / stride + 1;
    }

    private static void Expect(bool condition, string name, string message)
    {
        if (!condition) throw new IrException($"{name}: {message}");
    }
}
