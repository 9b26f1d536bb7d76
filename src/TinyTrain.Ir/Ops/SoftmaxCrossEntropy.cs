namespace TinyTrain.Ir;

/// <summary>Log-softmax + negative log-likelihood of fp32 logits [1, N] and an int32 label [1]; output loss [1].</summary>
public sealed record SoftmaxCrossEntropyAttrs : OpAttrs;

public sealed class SoftmaxCrossEntropyOp : Op
{
    public override string Name => "SoftmaxCrossEntropy";
    public override int Arity => 2;
    public override int ActivationOperands => 0;

    public override TensorType InferType(OpAttrs attrs, Operands x, QuantParams? quant) => SoftmaxCrossEntropyGradOp.Check(x, new Shape(1));

    public override string? GradientRefusal(Node node) => null;

    /// <summary>The loss starts the backward pass: d loss / d logits = softmax - one-hot.</summary>
    public override void Differentiate(Node node, Node? gradient, IGradientBuilder g) =>
        g.Input(node.Input(0), () => g.Emit(Ops.SoftmaxCrossEntropyGrad, "logits.grad", OpAttrs.Empty, node.Input(0), node.Input(1)));
}

/// <summary>d loss / d logits; computed by the loss's own call.</summary>
public sealed class SoftmaxCrossEntropyGradOp : Op
{
    public override string Name => "SoftmaxCrossEntropyGrad";
    public override int Arity => 2;
    public override bool IsBackward => true;

    public override TensorType InferType(OpAttrs attrs, Operands x, QuantParams? quant) => Check(x, x[0].Shape);

    internal static TensorType Check(Operands x, Shape output)
    {
        var logits = x.Gradient(0);
        var label = x[1];
        x.Expect(logits.Shape.Rank == 2 && logits.Shape[0] == 1, $"logits must be [1, N], got {logits.Shape}");
        x.Expect(label.Type.DType == DType.Int32 && label.Shape.Elements == 1, "the label must be one int32");
        return new TensorType(DType.Float32, output);
    }
}

public static partial class Ops
{
    public static readonly SoftmaxCrossEntropyOp SoftmaxCrossEntropy = new();
    public static readonly SoftmaxCrossEntropyGradOp SoftmaxCrossEntropyGrad = new();
}
