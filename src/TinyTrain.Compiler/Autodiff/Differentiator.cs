using System.Collections.Immutable;
using TinyTrain.Ir;

namespace TinyTrain.Compiler.Autodiff;

/// <summary>
/// Compile-time autodiff for a sparse update. Gradients are built only on paths from a trained parameter's op to
/// the loss (tinygrad's target-path marking): an op below the first trained layer gets no backward op, and a
/// frozen filter gets no gradient. Fan-out gradients are summed with <see cref="Ops.GradAdd"/>; each trained
/// parameter ends in an <see cref="Ops.SgdUpdate"/>. The result graph holds only what its outputs need, so
/// activations no backward op reads are dead and absent.
/// </summary>
public static class Differentiator
{
    public sealed record Result(Graph Graph, Node Loss, Node Logits, ImmutableArray<Node> Updates, ImmutableArray<TrainableParameter> Trained);

    public static Result Differentiate(TrainingGraph training, IReadOnlyList<TrainableParameter> trainables, TrainingOptions options)
    {
        var graph = training.Graph;
        var targets = trainables.Select(t => t.Op).ToHashSet();
        foreach (var t in trainables)
        {
            if (!graph.Nodes.Contains(t.Op)) throw new CompilationException($"{t.Op.Name} is not part of the training graph");
        }
        var onPath = PathsToLoss(graph, targets, training.Loss);

        var b = new GraphBuilder(graph.Nodes.Select(n => n.Name));
        var rules = new GradientRules(b, options, training.Head);
        var gradients = new Dictionary<Node, Node>();
        var parameterGrads = new Dictionary<TrainableParameter, Node>();
        void Accumulate(Node target, Node gradient) =>
            gradients[target] = gradients.TryGetValue(target, out var existing)
                ? b.Op(Ops.GradAdd, rules.Name($"{target.Name}.grad.sum"), OpAttrs.Empty, null, existing, gradient)
                : gradient;

        // Reverse topological order: every user of a node has pushed its gradient before the node is visited.
        foreach (var node in graph.Nodes.Reverse())
        {
            if (!onPath.Contains(node)) continue;
            Node? gradient = null;
            if (node != training.Loss && !gradients.TryGetValue(node, out gradient)) continue;
            var step = rules.Apply(node, gradient, trainables.Where(t => t.Op == node).ToList(), onPath);
            foreach (var (input, inputGradient) in step.Inputs) Accumulate(input, inputGradient);
            foreach (var (parameter, parameterGradient) in step.Parameters) parameterGrads[parameter] = parameterGradient;
        }

        var updates = trainables.Select(t => rules.Update(t, parameterGrads.TryGetValue(t, out var g) ? g
            : throw new CompilationException($"{t} does not influence the loss"))).ToImmutableArray();
        var result = new Graph(graph.Name, graph.Inputs, [training.Loss, training.Logits, .. updates]);
        GraphVerifier.ThrowIfInvalid(result);
        return new Result(result, training.Loss, training.Logits, updates, [.. trainables]);
    }

    /// <summary>Nodes that are reachable from a target op and from which the loss is reachable.</summary>
    private static HashSet<Node> PathsToLoss(Graph graph, HashSet<Node> targets, Node loss)
    {
        var fromTargets = new HashSet<Node>();
        foreach (var node in graph.Nodes) // topological: operands first
        {
            if (targets.Contains(node) || node.Inputs.Any(i => i is not null && fromTargets.Contains(i))) fromTargets.Add(node);
        }
        var toLoss = new HashSet<Node> { loss };
        foreach (var node in graph.Nodes.Reverse())
        {
            if (!toLoss.Contains(node)) continue;
            foreach (var input in node.Inputs) if (input is not null) toLoss.Add(input);
        }
        fromTargets.IntersectWith(toLoss);
        return fromTargets;
    }
}
