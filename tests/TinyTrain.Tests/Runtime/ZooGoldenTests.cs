using System.Text.Json;
using TinyTrain.Compiler;
using TinyTrain.Compiler.Autodiff;
using TinyTrain.Compiler.Lowered;
using TinyTrain.Formats;
using TinyTrain.Runtime;

namespace TinyTrain.Tests.Runtime;

/// <summary>
/// The zoo's real models made by other projects (shared/data/zoo), run on the inputs TFLite Micro's reference kernels
/// ran: the softmax output and the tensor entering the softmax are equal to TFLM's, bit for bit, on every case of the
/// models that import. The models that need ops we lack are refused with a one-line reason naming the op.
/// </summary>
public class ZooGoldenTests
{
    /// <summary>Models whose every op we run.</summary>
    private static readonly string[] Imported = ["har_cnn", "mltk_kws_pacman", "mltk_image_example1", "mltk_kws_onoff_v3", "resnet6blk_cifar10", "vww96_v01_gray", "aww_v01_uint8in"];

    private sealed record Case(string Model, string Input, int[] Output, int[]? PreSoftmax);

    private static readonly Lazy<Dictionary<string, Case>> Cases = new(() =>
    {
        using var json = JsonDocument.Parse(File.ReadAllText(TestData.Path("zoo", "expected.json")));
        return json.RootElement.EnumerateObject().ToDictionary(c => c.Name, c => new Case(
            c.Value.GetProperty("model").GetString()!, c.Value.GetProperty("input").GetString()!,
            [.. c.Value.GetProperty("output").EnumerateArray().Select(v => v.GetInt32())],
            c.Value.TryGetProperty("preSoftmax", out var pre) ? [.. pre.EnumerateArray().Select(v => v.GetInt32())] : null));
    });

    public static TheoryData<string> ImportedCases => [.. Cases.Value.Where(c => Imported.Any(m => c.Value.Model == m + ".tflite")).Select(c => c.Key)];

    [Theory]
    [MemberData(nameof(ImportedCases))]
    public void Outputs_equal_TFLite_Micro(string name)
    {
        var c = Cases.Value[name];
        var (_, program) = ModelRunner.Load(TestData.Path("zoo", c.Model));
        var input = File.ReadAllBytes(TestData.Path("zoo", c.Input)).Select(b => (sbyte)b).ToArray();
        foreach (var variant in new[] { KernelVariant.Auto, KernelVariant.Reference })
        {
            var outputs = ModelRunner.RunAll(program, input, variant);
            var softmax = program.Calls.OfType<SoftmaxCall>().Single();
            Assert.Equal(c.Output, outputs[softmax.Name].Select(v => (int)v));
            // Reshapes alias their operand, so the call writing the softmax's input computes the logits.
            var logits = program.Calls.Single(call => call.Writes.Contains(softmax.Input));
            Assert.Equal(c.PreSoftmax!, outputs[logits.Name].Select(v => (int)v));
        }
    }

    [Fact]
    public void Both_max_pool_models_run_max_pools()
    {
        foreach (var model in new[] { "har_cnn", "mltk_kws_pacman" })
        {
            var (_, program) = ModelRunner.Load(TestData.Path("zoo", model + ".tflite"));
            Assert.NotEmpty(program.Calls.OfType<MaxPool2DCall>());
        }
    }

    /// <summary>
    /// The fp32 mode converts what training keeps: a model ending in a softmax has an fp32 baseline, and its max pools
    /// run the fp32 kernels forward and backward.
    /// </summary>
    [Fact]
    public void The_fp32_mode_trains_through_max_pools_of_a_model_ending_in_a_softmax()
    {
        var graph = ModelLoader.Load(TestData.Path("zoo", "mltk_kws_pacman.tflite"));
        var program = Compilation.CompileTraining(graph, "last:2", new TrainingOptions(3) { Head = HeadKind.Float }, fp32: true).Program.Program;
        Assert.NotEmpty(program.Calls.OfType<FloatMaxPool2DCall>());
        Assert.Contains(program.Calls, c => c is MaxPool2DGradCall { Float: true });
        Assert.DoesNotContain(program.Calls, c => c is MaxPool2DCall or SoftmaxCall);
    }

    /// <summary>vww96's Keras Flatten is SHAPE + STRIDED_SLICE + PACK + RESHAPE: folded at import, it leaves one reshape view and no call.</summary>
    [Fact]
    public void A_dynamic_flatten_folds_into_a_reshape()
    {
        var graph = ModelLoader.Load(TestData.Path("zoo", "vww96_v01_gray.tflite"));
        var reshapes = graph.Nodes.Where(n => n.Op == TinyTrain.Ir.Ops.Reshape).ToList();
        Assert.NotEmpty(reshapes);
        Assert.All(graph.Nodes, n => Assert.True(n.Type.DType is TinyTrain.Ir.DType.Int8 or TinyTrain.Ir.DType.Int32, $"{n.Name} is {n.Type.DType}"));
        Assert.Contains(reshapes, r => r.Shape.Rank == 2);
    }

    /// <summary>aww reads uint8 audio features through a QUANTIZE to int8: the graph's input is uint8 and one call requantises it.</summary>
    [Fact]
    public void A_uint8_input_is_requantised_by_a_quantize_call()
    {
        var (graph, program) = ModelRunner.Load(TestData.Path("zoo", "aww_v01_uint8in.tflite"));
        Assert.Equal(TinyTrain.Ir.DType.UInt8, graph.Input.Type.DType);
        var quantize = Assert.Single(program.Calls.OfType<QuantizeCall>());
        Assert.False(quantize.Params.InputSigned);
        Assert.True(quantize.Params.OutputSigned);
    }

    /// <summary>Every zoo model imports now; a model with an op we lack is refused naming the file and the op.</summary>
    [Fact]
    public void A_model_with_an_op_we_lack_is_refused_naming_the_op()
    {
        var file = TinyTrain.Formats.Tflite.TfliteReader.Read(TestData.Path("zoo", "aww_v01_uint8in.tflite"));
        var codes = file.OperatorCodes.Select(c => c.BuiltinOperator == TinyTrain.Formats.Tflite.TfliteBuiltinOperator.QUANTIZE
            ? c with { BuiltinOperator = TinyTrain.Formats.Tflite.TfliteBuiltinOperator.HARD_SWISH } : c).ToList();
        var error = Assert.ThrowsAny<ModelFormatException>(() => TinyTrain.Formats.Tflite.TfliteImporter.Import(file with { OperatorCodes = codes }, "aww.tflite"));
        Assert.Contains("HARD_SWISH", error.Message);
        Assert.Contains("aww.tflite", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }
}
