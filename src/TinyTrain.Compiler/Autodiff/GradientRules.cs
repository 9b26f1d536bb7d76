using System.Collections.Immutable;
using TinyTrain.Ir;

namespace TinyTrain.Compiler.Autodiff;

/// <summary>
/// The local derivative of each forward op, as IR (paper-notes §2.2): straight-through at every rounding, the clamp
/// as a 1-bit mask, g_acc = g_y * mask * eff_scale[c] through a requantisation. Each rule returns the gradients of
/// the op's activation operands that lie on a path to the loss, and of its trained parameters.
/// </summary>
internal sealed class GradientRules(GraphBuilder b, TrainingOptions options)
{
    public sealed record Step(List<(Node Input, Node Gradient)> Inputs, List<(TrainableParameter Parameter, Node Gradient)> Parameters);

    public Step Apply(Node node, Node? gradient, IReadOnlyList<TrainableParameter> trained, HashSet<Node> onPath)
    {
        var step = new Step([], []);
        void Input(Node input, Func<Node> gradientOf)
        {
            if (onPath.Contains(input)) step.Inputs.Add((input, gradientOf()));
        }

        switch (node.Kind)
        {
            case OpKind.SoftmaxCrossEntropy:
                step.Inputs.Add((node.Input(0), b.Op(OpKind.SoftmaxCrossEntropyGrad, Name("logits.grad"), OpAttrs.Empty, null, node.Input(0), node.Input(1))));
                break;
            case OpKind.Dequantize:
                // real = s * (q - z): d/dq = s.
                Input(node.Input(0), () => b.Op(OpKind.RequantGrad, Name($"{node.Input(0).Name}.grad"),
                    new RequantGradAttrs([(float)node.Input(0).Quant!.Scale]), null, gradient!, null));
                break;
            case OpKind.Reshape:
                Input(node.Input(0), () => b.Reshape(Name($"{node.Input(0).Name}.grad"), gradient!, node.Input(0).Shape));
                break;
            case OpKind.Conv2D:
            case OpKind.DepthwiseConv2D:
            case OpKind.FullyConnected:
                ConvLike(node, gradient!, trained, step, onPath);
                break;
            case OpKind.Add:
            {
                var mask = Mask(node);
                var (qa, qb, qy) = (node.Input(0).Quant, node.Input(1).Quant, node.Quant!);
                // y = (s_a (a - z_a) + s_b (b - z_b)) / s_y: d/da = s_a / s_y, in float32 as the forward computes.
                // In fp32 mode y = a + b: only the clamp's mask remains.
                var real = node.Type.DType == DType.Float32;
                Input(node.Input(0), () => b.Op(OpKind.RequantGrad, Name($"{node.Name}.a.grad"),
                    new RequantGradAttrs([real ? 1f : (float)qa!.Scale / (float)qy.Scale]), null, gradient!, mask));
                Input(node.Input(1), () => b.Op(OpKind.RequantGrad, Name($"{node.Name}.b.grad"),
                    new RequantGradAttrs([real ? 1f : (float)qb!.Scale / (float)qy.Scale]), null, gradient!, mask));
                break;
            }
            case OpKind.AveragePool2D:
                if (node.AttrsAs<AveragePool2DAttrs>().Clamp != ClampRange.Int8)
                    throw new CompilationException($"{node.Name}: training through a pool with a fused activation is not supported");
                Input(node.Input(0), () => b.Op(OpKind.AveragePool2DGrad, Name($"{node.Input(0).Name}.grad"), new PoolGradAttrs(node), null, gradient!));
                break;
            default:
                throw new CompilationException($"{node.Name}: training through {node.Kind} is not supported yet");
        }
        return step;
    }

    public Node Update(TrainableParameter parameter, Node gradient)
    {
        var op = parameter.Op;
        var channels = op.Shape[-1];
        var qas = ImmutableArray.CreateRange(Enumerable.Range(0, channels).Select(c => (float)QasFactor(parameter, c)));
        return b.Op(OpKind.SgdUpdate, Name($"{parameter.Parameter.Name}.update"),
            new SgdUpdateAttrs(qas, parameter.Kind == ParameterKind.Filter ? parameter.Channels : [], options.Policy), null,
            parameter.Parameter, gradient);
    }

    /// <summary>
    /// Quantization-aware scaling (paper Eq. 3, per output channel): a weight gradient is divided by s_w[c]^2, a bias
    /// gradient by (s_w[c] s_x)^2. Computed in double, rounded to float once. fp32 parameters are left unscaled.
    /// </summary>
    private double QasFactor(TrainableParameter parameter, int channel)
    {
        var op = parameter.Op;
        if (!options.Qas || op.Type.DType != DType.Int8) return 1;
        var sw = op.Input(1).Quant!.ScaleAt(channel);
        var s = parameter.Kind == ParameterKind.Filter ? sw : sw * op.Input(0).Quant!.Scale;
        return 1 / (s * s);
    }

    private void ConvLike(Node node, Node gradient, IReadOnlyList<TrainableParameter> trained, Step step, HashSet<Node> onPath)
    {
        var (x, filter) = (node.Input(0), node.Input(1));
        var (inputGrad, filterGrad) = node.Kind switch
        {
            OpKind.Conv2D => (OpKind.Conv2DInputGrad, OpKind.Conv2DFilterGrad),
            OpKind.DepthwiseConv2D => (OpKind.DepthwiseConv2DInputGrad, OpKind.DepthwiseConv2DFilterGrad),
            _ => (OpKind.FullyConnectedInputGrad, OpKind.FullyConnectedFilterGrad),
        };
        // The accumulator's gradient: through the clamp and the requantisation of an int8 op; an fp32 op has only
        // its clamp (when it replaces an int8 op), an fp32 head neither.
        var accumulator = node.Type.DType != DType.Int8
            ? node.Quant is null ? gradient : b.Op(OpKind.RequantGrad, Name($"{node.Name}.acc.grad"), new RequantGradAttrs([1f]), null, gradient, Mask(node))
            : b.Op(OpKind.RequantGrad, Name($"{node.Name}.acc.grad"),
            new RequantGradAttrs([.. Enumerable.Range(0, node.Shape[-1]).Select(c => (float)(x.Quant!.Scale * filter.Quant!.ScaleAt(c) / node.Quant!.Scale))]),
            null, gradient, Mask(node));
        if (onPath.Contains(x))
            step.Inputs.Add((x, b.Op(inputGrad, Name($"{x.Name}.grad"), new ConvGradAttrs(node, []), null, accumulator, filter)));
        foreach (var parameter in trained)
        {
            var g = parameter.Kind == ParameterKind.Bias
                ? b.Op(OpKind.BiasGrad, Name($"{node.Name}.bias.grad"), OpAttrs.Empty, null, accumulator)
                : b.Op(filterGrad, Name($"{node.Name}.weight.grad"), new ConvGradAttrs(node, parameter.Channels), null, x, accumulator);
            step.Parameters.Add((parameter, g));
        }
    }

    private readonly Dictionary<Node, Node> masks = [];

    private Node Mask(Node node)
    {
        if (!masks.TryGetValue(node, out var mask))
            masks[node] = mask = b.Op(OpKind.ClampMask, Name($"{node.Name}.mask"), new ClampMaskAttrs(), null, node);
        return mask;
    }

    /// <summary>A fresh node name derived from <paramref name="wanted"/>.</summary>
    public string Name(string wanted)
    {
        var name = wanted;
        for (var i = 2; b.IsNameTaken(name); i++) name = $"{wanted}#{i}";
        return name;
    }
}
