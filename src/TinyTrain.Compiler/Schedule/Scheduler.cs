using System.Collections.Immutable;
using TinyTrain.Ir;

namespace TinyTrain.Compiler.Schedule;

/// <summary>
/// Orders a training graph's nodes for execution. The graph's own topological order puts every update after the
/// whole backward pass, so every parameter gradient, and every activation a gradient reads, lives to the end of the
/// step. Reordering (paper §3.5) is a list schedule in that same order, except that a parameter's gradient and its
/// update run as soon as they can: the gradient dies where it is made and the saved activation with it.
/// Two constraints keep the arithmetic unchanged: an update waits for every other reader of its parameter (the
/// input gradient reads the filter the update is about to change), and a filter gradient either runs before its
/// op's input gradient (<paramref name="filterFirst"/>: the saved activation dies earlier, but the gradient must
/// wait for the update) or after it (the update can then run inside the gradient's kernel).
/// </summary>
public static class Scheduler
{
    public static ImmutableArray<Node> Order(Graph graph, bool reorder, IReadOnlySet<Node>? filterFirst = null)
    {
        if (!reorder) return graph.Nodes;
        var users = graph.Users();
        var position = new Dictionary<Node, int>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < graph.Nodes.Length; i++) position[graph.Nodes[i]] = i;

        var waiting = new Dictionary<Node, int>(ReferenceEqualityComparer.Instance);
        var successors = new Dictionary<Node, List<Node>>(ReferenceEqualityComparer.Instance);
        void Edge(Node before, Node after)
        {
            if (!successors.TryGetValue(before, out var list)) successors[before] = list = [];
            if (list.Contains(after)) return;
            list.Add(after);
            waiting[after] = waiting.GetValueOrDefault(after) + 1;
        }
        foreach (var node in graph.Nodes)
        {
            waiting.TryAdd(node, 0);
            foreach (var input in node.Inputs.Distinct()) if (input is not null) Edge(input, node);
            if (node.Op.Role == GradientRole.Update)
            {
                foreach (var reader in users[node.Input(0)]) if (reader != node) Edge(reader, node);
            }
            else if (node.Op.Role == GradientRole.FilterGrad && !(filterFirst?.Contains(node.AttrsAs<ConvGradAttrs>().Forward) ?? false))
            {
                foreach (var sibling in users[node.Input(1)]) if (sibling.Op.Role == GradientRole.InputGrad) Edge(sibling, node);
            }
        }

        var ready = new SortedSet<(int Urgency, int Position)>();
        foreach (var node in graph.Nodes) if (waiting[node] == 0) ready.Add(Key(node));
        var order = ImmutableArray.CreateBuilder<Node>(graph.Nodes.Length);
        while (ready.Count > 0)
        {
            var next = graph.Nodes[ready.Min.Position];
            ready.Remove(ready.Min);
            order.Add(next);
            foreach (var after in successors.GetValueOrDefault(next) ?? [])
            {
                if (--waiting[after] == 0) ready.Add(Key(after));
            }
        }
        if (order.Count != graph.Nodes.Length) throw new InvalidOperationException($"{graph.Name}: the schedule's constraints form a cycle");
        return order.MoveToImmutable();

        // A parameter gradient or update runs as soon as ready, since each frees what it reads.
        (int, int) Key(Node node) => (node.Op.Role is GradientRole.FilterGrad or GradientRole.BiasGrad or GradientRole.Update ? 0 : 1, position[node]);
    }
}
