using System.Collections.Immutable;

namespace TinyTrain.Ir;

/// <summary>
/// An immutable dataflow graph. <see cref="Nodes"/> holds every reachable node in a deterministic topological
/// order (operands before users, ties broken by operand order), computed once without recursion.
/// </summary>
public sealed class Graph
{
    public Graph(string name, ImmutableArray<Node> inputs, ImmutableArray<Node> outputs)
    {
        Name = name;
        Inputs = inputs;
        Outputs = outputs;
        Nodes = Toposort(outputs);
        foreach (var input in inputs)
        {
            if (input.Op != Ops.Input) throw new ArgumentException($"graph input {input.Name} is a {input.Op}");
        }
    }

    public string Name { get; }
    public ImmutableArray<Node> Inputs { get; }
    public ImmutableArray<Node> Outputs { get; }
    public ImmutableArray<Node> Nodes { get; }

    public Node Input => Inputs.Length == 1 ? Inputs[0] : throw new InvalidOperationException($"{Name} has {Inputs.Length} inputs");
    public Node Output => Outputs.Length == 1 ? Outputs[0] : throw new InvalidOperationException($"{Name} has {Outputs.Length} outputs");

    /// <summary>The compute nodes (no inputs or constants) in execution order.</summary>
    public IEnumerable<Node> Operations => Nodes.Where(n => !n.Op.IsLeaf);

    public Node? Find(string name) => Nodes.FirstOrDefault(n => n.Name == name);

    /// <summary>Users of each node, in topological order. Nodes compare by reference.</summary>
    public IReadOnlyDictionary<Node, ImmutableArray<Node>> Users()
    {
        var users = Nodes.ToDictionary(n => n, _ => ImmutableArray.CreateBuilder<Node>());
        foreach (var node in Nodes)
        {
            foreach (var input in node.Inputs)
            {
                if (input is not null && !users[input].Contains(node)) users[input].Add(node);
            }
        }
        return users.ToDictionary(kv => kv.Key, kv => kv.Value.ToImmutable());
    }

    private static ImmutableArray<Node> Toposort(ImmutableArray<Node> outputs)
    {
        var order = ImmutableArray.CreateBuilder<Node>();
        var state = new Dictionary<Node, bool>(); // false: on stack, true: done
        var stack = new Stack<(Node Node, int Next)>();
        foreach (var output in outputs)
        {
            if (state.ContainsKey(output)) continue;
            stack.Push((output, 0));
            state[output] = false;
            while (stack.Count > 0)
            {
                var (node, next) = stack.Pop();
                if (next < node.Inputs.Length)
                {
                    stack.Push((node, next + 1));
                    var input = node.Inputs[next];
                    if (input is null) continue;
                    if (state.TryGetValue(input, out var done))
                    {
                        if (!done) throw new InvalidOperationException($"cycle through {input.Name}");
                        continue;
                    }
                    state[input] = false;
                    stack.Push((input, 0));
                }
                else
                {
                    state[node] = true;
                    order.Add(node);
                }
            }
        }
        return order.ToImmutable();
    }
}
