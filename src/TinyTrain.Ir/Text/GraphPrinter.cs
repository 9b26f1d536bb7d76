using System.Text;

namespace TinyTrain.Ir;

/// <summary>A readable, deterministic text dump of a graph: one line per node, used by `inspect --ir` and golden tests.</summary>
public static class GraphPrinter
{
    public static string Print(Graph graph)
    {
        var text = new StringBuilder();
        text.AppendLine($"graph {graph.Name}");
        foreach (var node in graph.Nodes)
        {
            if (node.Op == Ops.Constant) continue;
            var operands = string.Join(", ", node.Inputs.Select(i => i?.Name ?? "_"));
            var attrs = node.Attrs is NoAttrs ? "" : " " + node.Attrs;
            text.AppendLine($"  %{node.Name}: {node.Type} = {node.Op}({operands}){attrs}");
        }
        text.AppendLine($"  return {string.Join(", ", graph.Outputs.Select(o => "%" + o.Name))}");
        return text.ToString();
    }
}
