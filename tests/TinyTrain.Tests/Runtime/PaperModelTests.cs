using TinyTrain.Compiler.Lowered;
using TinyTrain.Data;
using TinyTrain.Formats;
using TinyTrain.Ir;
using TinyTrain.Runtime;

namespace TinyTrain.Tests.Runtime;

/// <summary>The paper's three backbones: architecture, and the exact int8 semantics of paper-notes §2.8.</summary>
public class PaperModelTests
{
    public static TheoryData<string, int, int, int, int> Architectures => new()
    {
        { "mcunet-5fps", 14, 42, 7, 160 },
        { "mbv2-w0.35", 17, 51, 10, 112 },
        { "proxyless-w0.3", 20, 60, 13, 96 },
    };

    public static TheoryData<string> Models => ["mcunet-5fps", "mbv2-w0.35", "proxyless-w0.3"];

    private static string PathOf(string name) => TestData.Path("tiny-training", "mcu_models", name + ".pkl");

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Architecture_matches_the_paper(string name, int blocks, int convs, int adds, int lastChannels)
    {
        var (graph, _) = ModelRunner.Load(PathOf(name));
        var ops = graph.Operations.ToList();
        var backboneConvs = ops.Where(n => n.Op is ConvLikeOp && n.Name != "classifier").ToList();
        Assert.Equal(convs, backboneConvs.Count);
        Assert.Equal(adds, ops.Count(n => n.Op == Ops.Add));
        Assert.Equal(blocks, backboneConvs.Select(n => n.Name.Split('.')).Where(p => p[0] == "blocks").Select(p => p[1]).Distinct().Count());
        Assert.Equal(new Shape(1, 128, 128, 3), graph.Input.Shape);
        Assert.Equal(new Shape(1, 4, 4, lastChannels), graph.Find("pool")!.Input(0).Shape);
        Assert.Equal(new Shape(1, 1000), graph.Output.Shape);
        // Every residual add is an identity shortcut of a stride-1 block with equal channels.
        Assert.All(ops.Where(n => n.Op == Ops.Add), add => Assert.Equal(add.Input(0).Shape, add.Input(1).Shape));
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Simd_engine_equals_reference_at_every_layer(string name)
    {
        var (graph, program) = ModelRunner.Load(PathOf(name));
        foreach (var input in new[] { RandomInput(graph, 11), ModelRunner.Image(Photos.Chelsea, graph.Input.Shape, PixelEncoding.Offset) })
        {
            var simd = ModelRunner.RunAllById(program, input, KernelVariant.Auto);
            var reference = ModelRunner.RunAllById(program, input, KernelVariant.Reference);
            foreach (var call in program.Calls)
            {
                var id = call.Writes.Single();
                Assert.True(reference[id].AsSpan().SequenceEqual(simd[id]), $"{name}: {call.Name} differs between SIMD and reference");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Every_layer_is_within_one_LSB_of_a_double_precision_simulation(string name)
    {
        var (graph, program) = ModelRunner.Load(PathOf(name));
        var tensors = ModelRunner.RunAllById(program, ModelRunner.Image(Photos.Coffee, graph.Input.Shape, PixelEncoding.Offset), KernelVariant.Reference);
        long values = 0, exact = 0;
        foreach (var call in program.Calls)
        {
            var expected = DoubleSimulation.Run(graph, program, call, tensors);
            if (expected is null) continue;
            var actual = tensors[call.Writes.Single()];
            for (var i = 0; i < actual.Length; i++)
            {
                var diff = Math.Abs(actual[i] - expected[i]);
                Assert.True(diff <= 1, $"{call.Name}[{i}]: engine {actual[i]}, double simulation {expected[i]}");
                values++;
                if (diff == 0) exact++;
            }
        }
        Assert.True(values > 500_000, $"only {values} values were compared");
        Assert.True(exact > values * 0.99, $"only {exact} of {values} values match the double simulation exactly");
    }

    [Theory]
    [InlineData("mcunet-5fps")]
    [InlineData("mbv2-w0.35")]
    [InlineData("proxyless-w0.3")]
    public void Top5_of_real_photos_is_plausible(string name)
    {
        int[] cats = [281, 282, 283, 284, 285, 287]; // tabby, tiger cat, Persian, Siamese, Egyptian cat, lynx
        const int espresso = 967;
        var (graph, program) = ModelRunner.Load(PathOf(name));
        var cat = Top5(program, ModelRunner.Image(Photos.Chelsea, graph.Input.Shape, PixelEncoding.Offset));
        Assert.Contains(cat[0], cats);
        Assert.True(cat.Count(cats.Contains) >= 3, $"top-5 for the cat photo: {string.Join(", ", cat)}");
        Assert.Contains(espresso, Top5(program, ModelRunner.Image(Photos.Coffee, graph.Input.Shape, PixelEncoding.Offset))[..2]);
    }

    [Fact]
    public void Paper_names_resolve_to_the_shared_models()
    {
        Assert.Equal(PathOf("mbv2-w0.35"), ModelLoader.Resolve("mbv2-w0.35"));
        var e = Assert.Throws<FileNotFoundException>(() => ModelLoader.Resolve("mcunet-9000"));
        Assert.Contains("mcunet-5fps", e.Message);
    }

    private static int[] Top5(Program program, sbyte[] input)
    {
        var output = new sbyte[program.Output.Bytes];
        new Executor(program).Run(input, output);
        return [.. Enumerable.Range(0, output.Length).OrderByDescending(i => output[i]).ThenBy(i => i).Take(5)];
    }

    private static sbyte[] RandomInput(Graph graph, int seed)
    {
        var input = new sbyte[graph.Input.Shape.Elements];
        new Random(seed).NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(input.AsSpan()));
        return input;
    }
}
