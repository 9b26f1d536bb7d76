using TinyTrain.Compiler.Autodiff;
using TinyTrain.Compiler.Lowering;
using TinyTrain.Compiler.Precision;
using TinyTrain.Compiler.Schedule;
using TinyTrain.Compiler.Sparse;
using TinyTrain.Ir;

namespace TinyTrain.Compiler;

/// <summary>
/// The training pipeline, top to bottom: scheme -> trainable set -> training graph (new head, loss) -> compile-time
/// autodiff restricted to the trainable set -> lowered, planned training step.
/// </summary>
public static class Compilation
{
    public sealed record Training(UpdateScheme Scheme, TrainableSet Trainables, TrainingGraph Graph, Differentiator.Result Differentiated, TrainingProgram Program);

    /// <param name="fp32">Train the fp32 mode of the model (a baseline); the scheme picks the same channels as in int8.</param>
    /// <param name="memory">The memory passes (all on by default).</param>
    public static Training CompileTraining(Graph model, string scheme, TrainingOptions options, float momentum = 0, bool fp32 = false, MemoryOptions? memory = null) =>
        CompileTraining(model, SchemeParser.Parse(scheme, ConvIndex.Of(model)), options, momentum, fp32, memory);

    /// <summary>The same for a scheme built in code (e.g. by the search); it is validated against the model.</summary>
    public static Training CompileTraining(Graph model, UpdateScheme scheme, TrainingOptions options, float momentum = 0, bool fp32 = false, MemoryOptions? memory = null)
    {
        var index = ConvIndex.Of(model);
        var parsed = scheme.Validate(index);
        var trainables = TrainableSet.Resolve(parsed, index);
        IReadOnlyDictionary<Node, Node>? replaced = null;
        // The fp32 mode converts what training keeps: the classifier and what follows it (a softmax) are replaced.
        var graph = TrainingGraph.Build(fp32 ? FloatConversion.Convert(TrainingGraph.UpToClassifier(model), out replaced) : model, options);
        var parameters = Bind(trainables, graph, replaced);
        var differentiated = Differentiator.Differentiate(graph, parameters, options);
        var program = TrainingLowering.Lower(differentiated, momentum, memory) with { FeatureRms = options.FeatureRms };
        return new Training(parsed, trainables, graph, differentiated, program);
    }

    /// <summary>Backbone tensors keep their nodes (the training graph shares them); the head's map to the new head.</summary>
    public static IReadOnlyList<TrainableParameter> Bind(TrainableSet trainables, TrainingGraph graph, IReadOnlyDictionary<Node, Node>? replaced = null) =>
        [.. trainables.Tensors.Select(t => t.Role switch
        {
            TrainableRole.Weight => new TrainableParameter(replaced?[t.Conv] ?? t.Conv, ParameterKind.Filter, t.Channels),
            TrainableRole.Bias => TrainableParameter.Bias(replaced?[t.Conv] ?? t.Conv),
            TrainableRole.HeadWeight => TrainableParameter.WholeFilter(graph.Head),
            TrainableRole.HeadBias => TrainableParameter.Bias(graph.Head),
            _ => throw new InvalidOperationException($"unknown role {t.Role}"),
        })];
}
