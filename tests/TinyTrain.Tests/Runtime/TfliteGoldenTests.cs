using TinyTrain.Compiler.Lowered;
using TinyTrain.Data;
using TinyTrain.Runtime;

namespace TinyTrain.Tests.Runtime;

/// <summary>Golden outputs confirmed by TensorFlow Lite Micro itself (shared/data/README.md), exact.</summary>
public class TfliteGoldenTests
{
    private static readonly string PersonDetect = TestData.Path("tflite-micro", "person_detection", "person_detect.tflite");
    private static readonly string Vww = TestData.Path("mlperf-tiny", "vww_96_int8.tflite");
    private static readonly string PersonBmp = TestData.Path("tflite-micro", "person_detection", "person.bmp");
    private static readonly string NoPersonBmp = TestData.Path("tflite-micro", "person_detection", "no_person.bmp");

    public static TheoryData<string, string, PixelEncoding, int[], int[]> Goldens => new()
    {
        { PersonDetect, PersonBmp, PixelEncoding.Raw, [-112, 110], [-113, 113] },
        { PersonDetect, NoPersonBmp, PixelEncoding.Offset, [56, -55], [77, -77] },
        { PersonDetect, NoPersonBmp, PixelEncoding.Raw, [38, -39], [57, -57] },
        { PersonDetect, PersonBmp, PixelEncoding.Offset, [2, -3], [4, -4] },
        { Vww, PersonBmp, PixelEncoding.Raw, [-68, 63], [-95, 95] },
        { Vww, NoPersonBmp, PixelEncoding.Offset, [30, -38], [59, -59] },
    };

    [Theory]
    [MemberData(nameof(Goldens))]
    public void Pre_softmax_and_softmax_values_equal_TFLite_Micro(string model, string image, PixelEncoding encoding, int[] preSoftmax, int[] softmax)
    {
        var (graph, program) = ModelRunner.Load(model);
        var input = ModelRunner.Image(image, graph.Input.Shape, encoding);
        foreach (var variant in new[] { KernelVariant.Auto, KernelVariant.Reference })
        {
            var outputs = ModelRunner.RunAll(program, input, variant);
            var softmaxCall = program.Calls.OfType<SoftmaxCall>().Single();
            // Reshapes alias their operand, so the call writing the softmax's input computes the logits.
            var logits = program.Calls.Single(c => c.Writes.Contains(softmaxCall.Input));
            Assert.Equal(preSoftmax, outputs[logits.Name].Select(v => (int)v));
            Assert.Equal(softmax, outputs[softmaxCall.Name].Select(v => (int)v));
        }
    }

    [Theory]
    [InlineData(-128, 4)]
    [InlineData(-87, 104)]
    [InlineData(-5, 18)]
    [InlineData(76, -112)]
    public void Hello_world_reproduces_the_sine_table(int input, int expected)
    {
        var (_, program) = ModelRunner.Load(TestData.Path("tflite-micro", "hello_world", "hello_world_int8.tflite"));
        var output = new sbyte[1];
        new Executor(program).Run([(sbyte)input], output);
        Assert.Equal(expected, output[0]);
    }

    [Fact]
    public void Batch_inference_on_two_cores_equals_one_image_at_a_time()
    {
        var (graph, program) = ModelRunner.Load(PersonDetect);
        var random = new Random(3);
        var inputs = Enumerable.Range(0, 6).Select(_ =>
        {
            var x = new sbyte[graph.Input.Shape.Elements];
            random.NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(x.AsSpan()));
            return x;
        }).ToList();
        var batch = BatchRunner.Run(program, inputs, threads: 2);
        var executor = new Executor(program);
        for (var i = 0; i < inputs.Count; i++)
        {
            var single = new sbyte[program.Output.Bytes];
            executor.Run(inputs[i], single);
            Assert.Equal(single, batch[i]);
        }
    }
}
