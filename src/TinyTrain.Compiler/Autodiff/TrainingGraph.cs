using System.Collections.Immutable;
using TinyTrain.Ir;

namespace TinyTrain.Compiler.Autodiff;

/// <summary>
/// A model prepared for fine-tuning: the original classifier (the last conv-like op) is replaced by a fresh head
/// for <see cref="TrainingOptions.Classes"/> classes, whose fp32 logits feed log-softmax + cross-entropy against an
/// int32 label input. Anything after the old classifier (reshape, softmax) is dropped.
/// </summary>
public sealed record TrainingGraph(Graph Graph, Node Image, Node Label, Node Head, Node Logits, Node Loss)
{
    public static TrainingGraph Build(Graph model, TrainingOptions options)
    {
        if (options.Classes < 2) throw new CompilationException($"a classifier needs at least 2 classes, got {options.Classes}");
        var (classifier, features) = Features(model);

        var b = new GraphBuilder();
        var image = model.Input;
        var label = b.Input("label", DType.Int32, new Shape(1), null);
        if (options.Head == HeadKind.Int8 && features.Type.DType != DType.Int8)
            throw new CompilationException($"{model.Name} computes in fp32; an int8 head needs int8 features (use an fp32 head)");
        var (head, logits) = options.Head == HeadKind.Int8
            ? Int8Head(b, classifier, features, options.Classes, options.FeatureRms)
            : FloatHead(b, features, options.Classes);
        var loss = b.Op(Ops.SoftmaxCrossEntropy, "loss", new SoftmaxCrossEntropyAttrs(), null, logits, label);
        var graph = new Graph($"{model.Name}-train", [image, label], [loss, logits]);
        GraphVerifier.ThrowIfInvalid(graph);
        return new TrainingGraph(graph, image, label, head, logits, loss);
    }

    /// <summary>The model's classifier (its last conv-like op), which the new head replaces, and the feature vector it reads.</summary>
    public static (Node Classifier, Node Features) Features(Graph model)
    {
        var classifier = model.Operations.LastOrDefault(n => n.Op is ConvLikeOp)
            ?? throw new CompilationException($"{model.Name} has no conv or fully connected layer to use as a classifier");
        var features = classifier.Input(0);
        if (features.Shape.Elements != classifier.Input(1).Shape[-1])
            throw new CompilationException($"{model.Name}: the classifier {classifier.Name} reads {features.Shape}, not a pooled feature vector");
        return (classifier, features);
    }

    /// <summary>The model up to its classifier (the last conv-like op): what a training graph keeps of it.</summary>
    public static Graph UpToClassifier(Graph model) =>
        model.Operations.LastOrDefault(n => n.Op is ConvLikeOp) is { } classifier && !model.Outputs.SequenceEqual([classifier])
            ? new Graph(model.Name, model.Inputs, [classifier])
            : model;

    /// <summary>
    /// Same op kind as the old classifier, zero weights and biases, a per-channel weight scale of
    /// <see cref="TrainingOptions.HeadWeightScale"/> / <paramref name="featureRms"/> (weights of +-127 stand for +-0.5
    /// on normalised features) and a fixed output quantisation; its int8 logits are dequantised.
    /// </summary>
    private static (Node Head, Node Logits) Int8Head(GraphBuilder b, Node classifier, Node features, int classes, double featureRms)
    {
        var channels = features.Shape[-1];
        var wScales = QuantParams.PerChannel(Enumerable.Repeat(TrainingOptions.HeadWeightScale / featureRms, classes), axis: 0);
        var bias = b.Constant("head.bias", TensorData.From(new int[classes]), new Shape(classes));
        var outQuant = QuantParams.PerTensor(TrainingOptions.HeadOutputScale, 0);
        Node head;
        if (classifier.Op == Ops.FullyConnected)
        {
            var filter = b.Constant("head.weight", TensorData.From(new sbyte[classes * channels]), new Shape(classes, channels), wScales);
            var attrs = (FullyConnectedAttrs)classifier.Attrs;
            head = b.FullyConnected("head", features, filter, bias, new FullyConnectedAttrs(ClampRange.Int8, attrs.Requant), outQuant);
        }
        else if (classifier.Op == Ops.Conv2D)
        {
            var filter = b.Constant("head.weight", TensorData.From(new sbyte[classes * channels]), new Shape(classes, 1, 1, channels), wScales);
            var attrs = (Conv2DAttrs)classifier.Attrs;
            head = b.Conv2D("head", features, filter, bias, new Conv2DAttrs(1, 1, 1, 1, Padding2D.None, ClampRange.Int8, attrs.Requant), outQuant);
        }
        else
        {
            throw new CompilationException($"cannot replace a {classifier.Op} classifier ({classifier.Name})");
        }
        var flat = b.Reshape("head.flat", head, new Shape(1, classes));
        return (head, b.Op(Ops.Dequantize, "logits", new DequantizeAttrs(), null, flat));
    }

    /// <summary>An fp32 fully connected layer on the dequantised features, zero-initialised.</summary>
    private static (Node Head, Node Logits) FloatHead(GraphBuilder b, Node features, int classes)
    {
        var channels = features.Shape[-1];
        var flat = b.Reshape("features.flat", features, new Shape(1, channels));
        var real = features.Type.DType == DType.Float32 ? flat : b.Op(Ops.Dequantize, "features", new DequantizeAttrs(), null, flat);
        var filter = b.Constant("head.weight", TensorData.From(new float[classes * channels]), new Shape(classes, channels));
        var bias = b.Constant("head.bias", TensorData.From(new float[classes]), new Shape(classes));
        // No output quantisation: the head's logits are unclamped reals.
        var head = b.Op(Ops.FullyConnected, "head", new FullyConnectedAttrs(ClampRange.Int8, RequantKind.Float), null, real, filter, bias);
        return (head, head);
    }
}
