using TinyTrain.Ir;

namespace TinyTrain.Tests.Ir;

public class GraphTests
{
    private static readonly QuantParams Q = QuantParams.PerTensor(0.1, -3);

    private static Node Filter(GraphBuilder b, string name, int outC, int k, int inC) =>
        b.Constant(name, TensorData.From(new sbyte[outC * k * k * inC]), new Shape(outC, k, k, inC), QuantParams.PerChannel(Enumerable.Repeat(0.01, outC), 0));

    [Fact]
    public void Conv_output_shape_follows_stride_padding_and_dilation()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.Int8, new Shape(1, 17, 9, 3), Q);
        var y = b.Conv2D("y", x, Filter(b, "w", 8, 3, 3), null,
            new Conv2DAttrs(2, 1, 1, 2, new Padding2D(1, 1, 0, 0), ClampRange.Int8, RequantKind.Float), Q);
        // H: (17 + 2 - 3) / 2 + 1 = 9; W: dilated kernel 5, (9 - 5) / 1 + 1 = 5.
        Assert.Equal(new Shape(1, 9, 5, 8), y.Shape);
    }

    [Fact]
    public void Same_padding_puts_the_odd_pixel_at_the_end()
    {
        Assert.Equal((0, 1, 48), Padding2D.Same(96, 3, 2, 1));
        Assert.Equal((1, 1, 96), Padding2D.Same(96, 3, 1, 1));
        Assert.Equal((2, 2, 10), Padding2D.Same(10, 3, 1, 2));
    }

    [Fact]
    public void Mismatched_filter_is_rejected_with_the_node_name()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.Int8, new Shape(1, 8, 8, 4), Q);
        var e = Assert.Throws<IrException>(() => b.Conv2D("bad", x, Filter(b, "w", 8, 3, 5), null,
            new Conv2DAttrs(1, 1, 1, 1, Padding2D.None, ClampRange.Int8, RequantKind.Float), Q));
        Assert.Contains("bad", e.Message);
    }

    [Fact]
    public void Verifier_reports_a_bias_of_the_wrong_length()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.Int8, new Shape(1, 4, 4, 2), Q);
        var bias = b.Constant("b", TensorData.From(new int[3]), new Shape(3));
        var y = b.Conv2D("y", x, Filter(b, "w", 4, 1, 2), bias, new Conv2DAttrs(1, 1, 1, 1, Padding2D.None, ClampRange.Int8, RequantKind.Float), Q);
        var errors = GraphVerifier.Verify(new Graph("g", [x], [y]));
        Assert.Contains(errors, e => e.Contains("bias has 3 values for 4 channels"));
    }

    [Fact]
    public void With_returns_the_same_node_when_nothing_changes()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.Int8, new Shape(1, 4), Q);
        Assert.Same(x, x.With(name: "x"));
        Assert.NotSame(x, x.With(name: "z"));
    }

    [Fact]
    public void Toposort_handles_deep_graphs_without_recursion_and_is_deterministic()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.Int8, new Shape(1, 1, 1, 4), Q);
        var skip = x;
        var node = x;
        for (var i = 0; i < 20_000; i++)
        {
            node = b.Add($"add{i}", node, skip, new AddAttrs(ClampRange.Int8, RequantKind.Float), Q);
            if (i % 7 == 0) skip = node;
        }
        var g1 = new Graph("deep", [x], [node]);
        var g2 = new Graph("deep", [x], [node]);
        Assert.Equal(20_001, g1.Nodes.Length);
        Assert.Equal(g1.Nodes.Select(n => n.Name), g2.Nodes.Select(n => n.Name));
        var position = g1.Nodes.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i);
        Assert.All(g1.Nodes, n => Assert.All(n.Inputs, input => Assert.True(position[input!] < position[n])));
    }

    [Fact]
    public void Printer_shows_every_op_with_its_type()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.Int8, new Shape(1, 2, 2, 3), Q);
        var y = b.Reshape("flat", x, new Shape(1, 12));
        var text = GraphPrinter.Print(new Graph("tiny", [x], [y]));
        Assert.Contains("%flat: int8[1,12]", text);
        Assert.Contains("Reshape(x)", text);
        Assert.EndsWith("return %flat" + Environment.NewLine, text);
    }
}
