using TinyTrain.Ir;

namespace TinyTrain.Tests.Formats.Export;

/// <summary>Structural equality of two graphs: same nodes in the same order, same types, attributes and constant bytes.</summary>
public static class GraphAssert
{
    public static void Equal(Graph expected, Graph actual)
    {
        Assert.Equal(expected.Nodes.Length, actual.Nodes.Length);
        for (var i = 0; i < expected.Nodes.Length; i++)
        {
            var (e, a) = (expected.Nodes[i], actual.Nodes[i]);
            Assert.Equal(e.Name, a.Name);
            Assert.Equal(e.Op, a.Op);
            Assert.True(e.Type == a.Type, $"{e.Name}: {e.Type} became {a.Type}");
            Assert.Equal(e.Inputs.Select(n => n?.Name), a.Inputs.Select(n => n?.Name));
            if (e.Op == Ops.Constant) Assert.True(e.ConstantData.Bytes.SequenceEqual(a.ConstantData.Bytes), $"{e.Name}: data differs");
            else Assert.Equal(e.Attrs, a.Attrs);
        }
        Assert.Equal(expected.Inputs.Select(n => n.Name), actual.Inputs.Select(n => n.Name));
        Assert.Equal(expected.Outputs.Select(n => n.Name), actual.Outputs.Select(n => n.Name));
    }
}
