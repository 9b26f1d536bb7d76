using System.Runtime.InteropServices;
using TinyTrain.Compiler.Lowered;
using TinyTrain.Compiler.Lowering;
using TinyTrain.Compiler.Schedule;
using TinyTrain.Formats;
using TinyTrain.Runtime;

namespace TinyTrain.Tests.Runtime;

/// <summary>Inference programs fuse a conv with the depthwise conv that alone reads it: a smaller arena, the same outputs.</summary>
public class InferenceFusionTests(Xunit.Abstractions.ITestOutputHelper output)
{
    public static TheoryData<string> Models => new()
    {
        TestData.Path("tiny-training", "mcu_models", "mcunet-5fps.pkl"),
        TestData.Path("tiny-training", "mcu_models", "mbv2-w0.35.pkl"),
        TestData.Path("tiny-training", "mcu_models", "proxyless-w0.3.pkl"),
        TestData.Path("tflite-micro", "person_detection", "person_detect.tflite"),
        TestData.Path("mlperf-tiny", "vww_96_int8.tflite"),
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void Fused_inference_gives_the_outputs_of_the_unfused_program_in_no_larger_an_arena(string path)
    {
        var graph = ModelLoader.Load(path);
        var fused = InferenceLowering.Lower(graph, InferenceLowering.Device);
        var plain = InferenceLowering.Lower(graph);
        Assert.Contains(fused.Calls, c => c is ConvDepthwiseCall);
        // The paper models' peak is an expansion next to its input; vww's lies elsewhere.
        Assert.True(path.EndsWith(".pkl") ? fused.ArenaBytes < plain.ArenaBytes : fused.ArenaBytes <= plain.ArenaBytes, $"{fused.ArenaBytes} B fused, {plain.ArenaBytes} B not");
        output.WriteLine($"{Path.GetFileName(path)}: {fused.ArenaBytes} B fused, {plain.ArenaBytes} B not");
        var random = new Random(9);
        foreach (var variant in new[] { KernelVariant.Auto, KernelVariant.Reference })
        {
            var (a, b) = (new Executor(fused, variant), new Executor(plain, variant));
            for (var i = 0; i < 3; i++)
            {
                var image = new sbyte[fused.Input.Bytes];
                random.NextBytes(MemoryMarshal.AsBytes(image.AsSpan()));
                var (x, y) = (new sbyte[fused.Output.Bytes], new sbyte[plain.Output.Bytes]);
                a.Run(image, x);
                b.Run(image, y);
                Assert.Equal(y, x);
            }
        }
    }
}
