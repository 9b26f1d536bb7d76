using System.Collections.Immutable;
using TinyTrain.Compiler.Autodiff;
using TinyTrain.Compiler.Lowered;
using TinyTrain.Compiler.Schedule;
using TinyTrain.Ir;

namespace TinyTrain.Compiler.Lowering;

/// <summary>A lowered training step and the ids of the tensors a trainer reads and writes.</summary>
public sealed record TrainingProgram(Program Program, int Image, int Label, int Loss, int Logits)
{
    /// <summary>The trained parameters and optimiser state: what a checkpoint saves.</summary>
    public IEnumerable<ProgramTensor> State => Program.Tensors.Where(t => t.Placement == TensorPlacement.Persistent);

    /// <summary>The <see cref="TrainingOptions.FeatureRms"/> the head was built with; a checkpoint records it.</summary>
    public double FeatureRms { get; init; } = 1;
}

/// <summary>
/// Lowers a differentiated training graph to one training step (forward, loss, backward, updates). With reordering,
/// each trained filter whose op also passes a gradient on has two legal orders (see <see cref="Scheduler"/>); the
/// lowering starts with every update fused after its input gradient and flips one filter at a time to gradient-first,
/// keeping a flip when the planned arena shrinks.
/// </summary>
public static class TrainingLowering
{
    /// <summary>Above this many such filters only the two uniform choices are tried (the flips cost one lowering each).</summary>
    private const int MaxFlipSearch = 24;

    public static TrainingProgram Lower(Differentiator.Result training, float momentum = 0, MemoryOptions? options = null)
    {
        options ??= MemoryOptions.Default;
        var graph = training.Graph;
        Program LowerWith(IReadOnlySet<Node> filterFirst) =>
            ProgramLowering.Lower(graph, momentum, Scheduler.Order(graph, options.Reorder, filterFirst), options);

        var program = LowerWith(new HashSet<Node>());
        if (options.Reorder)
        {
            var choices = FiltersWithTwoOrders(graph);
            var chosen = new HashSet<Node>();
            if (choices.Count > MaxFlipSearch)
            {
                var all = LowerWith(choices.ToHashSet());
                if (all.ArenaBytes < program.ArenaBytes) program = all;
            }
            else
            {
                foreach (var op in choices)
                {
                    chosen.Add(op);
                    var flipped = LowerWith(chosen);
                    if (flipped.ArenaBytes < program.ArenaBytes) program = flipped;
                    else chosen.Remove(op);
                }
            }
        }
        int IdOf(int output) => program.Outputs[output];
        // The label is the int32 input; the other is the model's input (int8, or uint8 behind a QUANTIZE).
        var label = graph.Inputs.Single(n => n.Type.DType == DType.Int32);
        var image = graph.Inputs.Single(n => !ReferenceEquals(n, label));
        return new TrainingProgram(program, program.Inputs[graph.Inputs.IndexOf(image)], program.Inputs[graph.Inputs.IndexOf(label)], IdOf(0), IdOf(1));
    }

    /// <summary>Forward ops with both a filter gradient and an input gradient, in graph order.</summary>
    private static List<Node> FiltersWithTwoOrders(Graph graph) =>
        [.. graph.Nodes.Where(n => n.Op.Role == GradientRole.InputGrad && n.Attrs is ConvGradAttrs)
            .Select(n => n.AttrsAs<ConvGradAttrs>().Forward)
            .Where(forward => graph.Nodes.Any(n => n.Op.Role == GradientRole.FilterGrad
                && ReferenceEquals(n.AttrsAs<ConvGradAttrs>().Forward, forward)))
            .Distinct()];
}
