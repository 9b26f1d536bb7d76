using TinyTrain.Formats;
using TinyTrain.Formats.Tflite;
using TinyTrain.Ir;

namespace TinyTrain.Tests.Formats.Tflite;

/// <summary>
/// Shape computations (SHAPE, STRIDED_SLICE, PACK) are folded at import and checked where they are used: vww96's
/// Keras Flatten, and the same file altered so the folded target and the file disagree.
/// </summary>
public sealed class TfliteShapeFoldingTests
{
    private static TfliteFile Vww() => TfliteModelTests.Load("zoo", "vww96_v01_gray.tflite");

    private static int IndexOf(TfliteFile file, TfliteBuiltinOperator code) =>
        file.Subgraphs[0].Operators.Select((op, i) => (op, i)).First(p => file.OperatorCodes[p.op.OpcodeIndex].BuiltinOperator == code).i;

    private static TfliteFile WithOperator(TfliteFile file, int index, TfliteOperator op)
    {
        var g = file.Subgraphs[0];
        return file with { Subgraphs = [g with { Operators = [.. g.Operators.Select((o, i) => i == index ? op : o)] }] };
    }

    [Fact]
    public void The_flatten_becomes_a_reshape_to_the_folded_shape()
    {
        var file = Vww();
        var graph = TfliteImporter.Import(file, "vww.tflite");
        var reshape = file.Subgraphs[0].Operators[IndexOf(file, TfliteBuiltinOperator.RESHAPE)];
        var target = file.Subgraphs[0].Tensors[reshape.Outputs[0]].Shape;
        Assert.Contains(graph.Nodes, n => n.Op == Ops.Reshape && n.Shape == new Shape(target));
        Assert.DoesNotContain(graph.Nodes, n => n.Type.DType == DType.Int32 && n.Op != Ops.Constant);
    }

    [Fact]
    public void A_reshape_whose_folded_target_disagrees_with_the_file_is_refused()
    {
        var file = Vww();
        var g = file.Subgraphs[0];
        var reshape = g.Operators[IndexOf(file, TfliteBuiltinOperator.RESHAPE)];
        var output = g.Tensors[reshape.Outputs[0]];
        var flipped = output with { Shape = [.. output.Shape.Reverse()] };
        var altered = file with { Subgraphs = [g with { Tensors = [.. g.Tensors.Select((t, i) => i == reshape.Outputs[0] ? flipped : t)] }] };
        var e = Assert.Throws<ModelFormatException>(() => TfliteImporter.Import(altered, "vww.tflite"));
        Assert.Contains("RESHAPE to [", e.Message);
        Assert.Contains("vww.tflite", e.Message);
    }

    [Fact]
    public void A_strided_slice_with_an_ellipsis_is_refused_naming_it()
    {
        var file = Vww();
        var index = IndexOf(file, TfliteBuiltinOperator.STRIDED_SLICE);
        var op = file.Subgraphs[0].Operators[index];
        var altered = WithOperator(file, index, op with { Options = new TfliteStridedSliceOptions(0, 0, 1, 0, 1, false) });
        var e = Assert.Throws<ModelFormatException>(() => TfliteImporter.Import(altered, "vww.tflite"));
        Assert.Contains("STRIDED_SLICE", e.Message);
        Assert.Contains("ellipsis", e.Message);
    }

    [Fact]
    public void Shape_strided_slice_and_pack_options_round_trip_through_the_writer()
    {
        var file = Vww();
        var again = TfliteReader.Read(TfliteWriter.Write(file), "again.tflite");
        foreach (var code in new[] { TfliteBuiltinOperator.SHAPE, TfliteBuiltinOperator.STRIDED_SLICE, TfliteBuiltinOperator.PACK })
        {
            var index = IndexOf(file, code);
            Assert.NotNull(file.Subgraphs[0].Operators[index].Options);
            Assert.Equal(file.Subgraphs[0].Operators[index].Options, again.Subgraphs[0].Operators[index].Options);
        }
    }
}
