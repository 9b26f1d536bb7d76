using Microsoft.ML.OnnxRuntime;
using TinyTrain.Compiler.Lowering;
using TinyTrain.Data;
using TinyTrain.Formats;
using TinyTrain.Formats.Onnx;
using TinyTrain.Ir;
using TinyTrain.Tests.Runtime;
using Xunit.Abstractions;

namespace TinyTrain.Tests.Formats.Export;

/// <summary>Exported ONNX models run in ONNX Runtime and agree with our engine.</summary>
public class OnnxExportTests(ITestOutputHelper output)
{
    private static readonly string PersonDetect = TestData.Path("tflite-micro", "person_detection", "person_detect.tflite");

    /// <summary>Max |ours - ORT| over the inputs, how many outputs differ at all, and top-1 agreement.</summary>
    private (int MaxDiff, int Differing, int Agree) Compare(Graph model, IReadOnlyList<sbyte[]> inputs, GraphOptimizationLevel level = GraphOptimizationLevel.ORT_DISABLE_ALL)
    {
        var program = InferenceLowering.Lower(model);
        var onnx = OnnxExporter.Write(model);
        AssertEveryInitializerIsUsed(onnx);
        using var ort = new OnnxRuntimeRunner(onnx, model.Input.Shape, level);
        var (maxDiff, differing, agree) = (0, 0, 0);
        foreach (var input in inputs)
        {
            var (ours, theirs) = (TfliteExportTests.Run(program, input), ort.Run(input));
            Assert.Equal(ours.Length, theirs.Length);
            var diff = ours.Zip(theirs, (a, b) => Math.Abs(a - b)).Max();
            maxDiff = Math.Max(maxDiff, diff);
            differing += diff > 0 ? 1 : 0;
            agree += TrainedModelExportTests.Top1(ours) == TrainedModelExportTests.Top1(theirs) ? 1 : 0;
        }
        output.WriteLine($"{model.Name} ({level}): max |ours - ORT| {maxDiff} LSB over {inputs.Count} inputs, {differing} differ, top-1 agrees on {agree}");
        return (maxDiff, differing, agree);
    }

    /// <summary>ORT warns about (and a reader must skip) initializers no node reads: the exporter writes none.</summary>
    internal static void AssertEveryInitializerIsUsed(byte[] onnx)
    {
        var names = OnnxProtoReader.Read(onnx);
        Assert.NotEmpty(names.Initializers);
        var unused = names.Initializers.Where(i => !names.NodeInputs.Contains(i)).ToList();
        Assert.True(unused.Count == 0, $"{unused.Count} of {names.Initializers.Count} initializers are read by no node: {string.Join(", ", unused.Take(5))}");
    }

    private static List<sbyte[]> RandomInputs(Graph model, int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ =>
        {
            var bytes = new byte[model.Input.Shape.Elements];
            random.NextBytes(bytes);
            return bytes.Select(b => (sbyte)b).ToArray();
        })];
    }

    [Fact]
    public void Person_detect_in_ONNX_Runtime_agrees_within_one_LSB()
    {
        var model = ModelLoader.Load(PersonDetect);
        var images = new List<sbyte[]>
        {
            ModelRunner.Image(TestData.Path("tflite-micro", "person_detection", "person.bmp"), model.Input.Shape, PixelEncoding.Raw),
            ModelRunner.Image(TestData.Path("tflite-micro", "person_detection", "no_person.bmp"), model.Input.Shape, PixelEncoding.Offset),
        };
        var (maxDiff, _, agree) = Compare(model, [.. images, .. RandomInputs(model, 6, 1)]);
        Assert.InRange(maxDiff, 0, 1);
        Assert.Equal(8, agree);
    }

    [Fact]
    public void A_trained_mcunet_in_ONNX_Runtime_agrees_within_one_LSB()
    {
        var (maxDiff, _, agree) = Compare(TrainedMcunet.Model, TrainedMcunet.Images);
        Assert.InRange(maxDiff, 0, 1);
        Assert.True(agree >= TrainedMcunet.Images.Length * 0.99, $"top-1 agrees on {agree}/{TrainedMcunet.Images.Length}");
    }

    [Fact]
    public void The_paper_backbone_in_ONNX_Runtime_gives_the_same_1000_logits()
    {
        // Dead channels whose saturated int32 bias wraps (paper-notes §2.8) differ inside, but no logit does.
        var model = ModelLoader.Load(TestData.Path("tiny-training", "mcu_models", "mcunet-5fps.pkl"));
        var (maxDiff, _, _) = Compare(model, [.. TrainedMcunet.Images.Take(20)]);
        Assert.Equal(0, maxDiff);
        var (optimised, _, _) = Compare(model, [.. TrainedMcunet.Images.Take(20)], GraphOptimizationLevel.ORT_ENABLE_ALL);
        output.WriteLine($"with ORT's graph optimisations: max {optimised} LSB");
    }

    [Theory]
    [InlineData("mlperf-tiny/vww_96_int8.tflite")]
    [InlineData("mlperf-tiny/pretrainedResnet_quant.tflite")]
    [InlineData("mlperf-tiny/kws_ref_model.tflite")]
    [InlineData("mlperf-tiny/ad01_int8.tflite")]
    [InlineData("mlperf-tiny/str_ww_ref_model.tflite")]
    [InlineData("tflite-micro-arduino-examples/magic_wand/magic_wand_model.tflite")]
    [InlineData("tflite-micro/micro_speech/micro_speech_quantized.tflite")]
    [InlineData("tflite-micro/hello_world/hello_world_int8.tflite")]
    [InlineData("zoo/aww_v01_uint8in.tflite")]
    [InlineData("zoo/vww96_v01_gray.tflite")]
    [InlineData("zoo/har_cnn.tflite")]
    [InlineData("zoo/mltk_kws_pacman.tflite")]
    public void Other_tflite_models_run_in_ONNX_Runtime(string path)
    {
        var model = ModelLoader.Load(TestData.Path(path.Split('/')));
        // TFLite's fixed-point requantisation and softmax are not ONNX's float ones: close, not bit-exact.
        var (maxDiff, _, agree) = Compare(model, RandomInputs(model, 4, 2));
        Assert.InRange(maxDiff, 0, 16);
        Assert.Equal(4, agree);
    }
}
