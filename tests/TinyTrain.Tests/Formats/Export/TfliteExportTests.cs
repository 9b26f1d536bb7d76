using TinyTrain.Compiler.Lowering;
using TinyTrain.Data;
using TinyTrain.Formats;
using TinyTrain.Formats.Tflite;
using TinyTrain.Ir;
using TinyTrain.Runtime;
using TinyTrain.Tests.Runtime;

namespace TinyTrain.Tests.Formats.Export;

/// <summary>.tflite models read -> written -> read back: the same graph and the same outputs, bit for bit.</summary>
public class TfliteExportTests
{
    public static TheoryData<string> Models => new()
    {
        "tflite-micro/person_detection/person_detect.tflite",
        "mlperf-tiny/vww_96_int8.tflite",
        "mlperf-tiny/pretrainedResnet_quant.tflite",
        "mlperf-tiny/kws_ref_model.tflite",
        "mlperf-tiny/ad01_int8.tflite",
        "mlperf-tiny/str_ww_ref_model.tflite",
        "tflite-micro-arduino-examples/magic_wand/magic_wand_model.tflite",
        "tflite-micro/micro_speech/micro_speech_quantized.tflite",
        "tflite-micro/hello_world/hello_world_int8.tflite",
        "zoo/aww_v01_uint8in.tflite",
        "zoo/vww96_v01_gray.tflite",
        "zoo/har_cnn.tflite",
        "zoo/mltk_kws_pacman.tflite",
        "zoo/mltk_image_example1.tflite",
        "zoo/resnet6blk_cifar10.tflite",
    };

    internal static Graph ReadBack(byte[] bytes, string name) => TfliteImporter.Import(TfliteReader.Read(bytes, name), name);

    [Theory]
    [MemberData(nameof(Models))]
    public void A_tflite_model_comes_back_as_the_same_graph_with_the_same_outputs(string model)
    {
        var path = TestData.Path(model.Split('/'));
        var original = ModelLoader.Load(path);
        var bytes = TfliteExporter.Write(original);
        var back = ReadBack(bytes, Path.GetFileNameWithoutExtension(path));

        GraphAssert.Equal(original, back);
        Assert.Empty(TfliteExporter.InexactOps(original));
        Assert.Equal(bytes, TfliteExporter.Write(back)); // writing is deterministic and a fixed point

        var (p1, p2) = (InferenceLowering.Lower(original), InferenceLowering.Lower(back));
        var random = new Random(11);
        for (var i = 0; i < 3; i++)
        {
            var input = new sbyte[p1.Input.Bytes];
            random.NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(input.AsSpan()));
            Assert.Equal(Run(p1, input), Run(p2, input));
        }
    }

    [Fact]
    public void Person_detect_written_and_read_back_keeps_the_TFLite_Micro_goldens()
    {
        var path = TestData.Path("tflite-micro", "person_detection", "person_detect.tflite");
        var back = ReadBack(TfliteExporter.Write(ModelLoader.Load(path)), "person_detect");
        var image = ModelRunner.Image(TestData.Path("tflite-micro", "person_detection", "person.bmp"), back.Input.Shape, PixelEncoding.Raw);
        Assert.Equal([-113, 113], Run(InferenceLowering.Lower(back), image).Select(v => (int)v));
    }

    [Fact]
    public void The_file_level_writer_mirrors_the_reader()
    {
        var file = TfliteReader.Read(TestData.Path("mlperf-tiny", "pretrainedResnet_quant.tflite"));
        var again = TfliteReader.Read(TfliteWriter.Write(file), "again");
        Assert.Equal(file.OperatorCodes.Select(c => c.BuiltinOperator), again.OperatorCodes.Select(c => c.BuiltinOperator));
        var (s1, s2) = (file.Subgraphs[0], again.Subgraphs[0]);
        Assert.Equal(s1.Tensors.Count, s2.Tensors.Count);
        for (var i = 0; i < s1.Tensors.Count; i++)
        {
            var (a, b) = (s1.Tensors[i], s2.Tensors[i]);
            Assert.Equal((a.Name, a.Type, a.Buffer), (b.Name, b.Type, b.Buffer));
            Assert.Equal(a.Shape, b.Shape);
            Assert.Equal(a.Quantization?.Scale, b.Quantization?.Scale);
            Assert.Equal(a.Quantization?.ZeroPoint, b.Quantization?.ZeroPoint);
            Assert.Equal(a.Quantization?.QuantizedDimension, b.Quantization?.QuantizedDimension);
        }
        for (var i = 0; i < s1.Operators.Count; i++)
        {
            Assert.Equal(s1.Operators[i].Inputs, s2.Operators[i].Inputs);
            Assert.Equal(s1.Operators[i].Options, s2.Operators[i].Options);
        }
        Assert.Equal(file.Buffers.Count, again.Buffers.Count);
        for (var i = 0; i < file.Buffers.Count; i++) Assert.Equal(file.Buffers[i], again.Buffers[i]);
    }

    internal static sbyte[] Run(TinyTrain.Compiler.Lowered.Program program, sbyte[] input)
    {
        var output = new sbyte[program.Output.Bytes];
        new Executor(program).Run(input, output);
        return output;
    }
}
