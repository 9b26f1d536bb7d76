using System.Runtime.InteropServices;
using TinyTrain.CodeGen.Emitter;
using TinyTrain.CodeGen.Verification;
using TinyTrain.Compiler;
using TinyTrain.Compiler.Lowered;
using TinyTrain.Compiler.Autodiff;
using TinyTrain.Compiler.Lowering;
using TinyTrain.Formats;
using TinyTrain.Ir;

namespace TinyTrain.Tests.CodeGen;

/// <summary>
/// The emitter's C, built with the host compiler under -Werror, runs training steps and inferences and writes exactly
/// the bytes the C# executor computes: losses, predictions, every trained tensor after the steps, and the logits.
/// </summary>
public sealed class GeneratedProgramTests : IDisposable
{
    private static readonly Lazy<Graph> Mcunet = new(() => ModelLoader.Load(TestData.Path("tiny-training", "mcu_models", "mcunet-5fps.pkl")));

    private readonly string directory = Path.Combine(Path.GetTempPath(), $"tinytrain-generated-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
    }

    public static TheoryData<string, float, UpdatePolicy> Schemes => new()
    {
        { "paper:49kb", 0f, UpdatePolicy.Device },
        { "paper:99kb", 0.9f, UpdatePolicy.Master },
    };

    [Theory]
    [MemberData(nameof(Schemes))]
    public void Generated_c_trains_and_infers_bit_exactly_like_the_executor(string scheme, float momentum, UpdatePolicy policy)
    {
        var training = Compilation.CompileTraining(Mcunet.Value, scheme, new TrainingOptions(10) { Policy = policy }, momentum).Program;
        AssertHostCMatchesExecutor(training, new CodegenOptions("mcunet-5fps", scheme));
    }

    /// <summary>Writes the project, runs three steps and three inferences with the host build, and compares every byte.</summary>
    private void AssertHostCMatchesExecutor(TrainingProgram training, CodegenOptions options)
    {
        CProject.Emit(training, options).WriteTo(directory);
        var (steps, inferences) = Requests(training, count: 3);
        var binary = BuildHost();
        DeviceSteps.Write(Path.Combine(directory, "steps.bin"), training, steps, inferences);
        var (exit, output) = CToolchain.Run(binary, ["steps.bin", "result.bin"], directory);
        Assert.True(exit == 0, output);
        var expected = DeviceSteps.Expected(training, steps, inferences);
        var actual = File.ReadAllBytes(Path.Combine(directory, "result.bin"));
        Assert.Null(DeviceSteps.Difference(training, expected, actual, steps.Count, inferences.Count));
    }

    public static TheoryData<string, string, string> ZooModels => new()
    {
        { "har_cnn", "bias-only", nameof(MaxPool2DGradCall) },
        { "mltk_kws_pacman", "last:2", nameof(MaxPool2DGradCall) },
        { "vww96_v01_gray", "last:2", nameof(MeanGradCall) },
        { "vww96_v01_gray", "last:8", nameof(PadGradCall) },
        { "aww_v01_uint8in", "bias-only", nameof(QuantizeCall) },
    };

    /// <summary>
    /// Real models with the ops other projects use (max pools, a trained-through mean, a uint8 input): the step runs
    /// in C as on the host, every state byte equal.
    /// </summary>
    [Theory]
    [MemberData(nameof(ZooModels))]
    public void Generated_c_trains_zoo_models_bit_exactly_like_the_executor(string model, string scheme, string call)
    {
        var graph = ModelLoader.Load(TestData.Path("zoo", model + ".tflite"));
        var training = Compilation.CompileTraining(graph, scheme, new TrainingOptions(10)).Program;
        Assert.Contains(training.Program.Calls, c => c.GetType().Name == call && c is not MaxPool2DGradCall { Float: true });
        AssertHostCMatchesExecutor(training, new CodegenOptions(model, scheme));
    }

    [Fact]
    public void Generated_c_runs_clean_under_address_and_undefined_behaviour_sanitizers()
    {
        // mbv2: every op kind of a MobileNet, the conv + depthwise fusion, fused updates, slices and momentum.
        var mbv2 = ModelLoader.Load(TestData.Path("tiny-training", "mcu_models", "mbv2-w0.35.pkl"));
        var training = Compilation.CompileTraining(mbv2, "paper:99kb", new TrainingOptions(10), momentum: 0.9f).Program;
        CProject.Emit(training, new CodegenOptions("mbv2-w0.35", "paper:99kb")).WriteTo(directory);
        var (steps, inferences) = Requests(training, count: 2);
        var binary = BuildHost(["-O1", "-g", "-fno-omit-frame-pointer", "-fsanitize=address,undefined,float-cast-overflow", "-fno-sanitize-recover=all"]);
        DeviceSteps.Write(Path.Combine(directory, "steps.bin"), training, steps, inferences);
        var (exit, output) = CToolchain.Run(binary, ["steps.bin", "result.bin"], directory);
        Assert.True(exit == 0, output);
        Assert.DoesNotContain("runtime error", output, StringComparison.Ordinal);
        var expected = DeviceSteps.Expected(training, steps, inferences);
        Assert.Null(DeviceSteps.Difference(training, expected, File.ReadAllBytes(Path.Combine(directory, "result.bin")), steps.Count, inferences.Count));
    }

    [Fact]
    public void The_same_program_gives_the_same_files()
    {
        var options = new TrainingOptions(10);
        var first = CProject.Emit(Compilation.CompileTraining(Mcunet.Value, "paper:49kb", options).Program, new CodegenOptions("m", "s"));
        var second = CProject.Emit(Compilation.CompileTraining(Mcunet.Value, "paper:49kb", options).Program, new CodegenOptions("m", "s"));
        Assert.Equal(first.Files.Keys, second.Files.Keys);
        Assert.All(first.Files, file => Assert.Equal(file.Value, second.Files[file.Key]));
        Assert.Contains($"#define MODEL_ARENA_BYTES {first.ArenaBytes}", first.Files["model.h"], StringComparison.Ordinal);
    }

    [Fact]
    public void A_corrupted_weight_makes_the_comparison_fail_and_names_the_tensor()
    {
        var training = Compilation.CompileTraining(Mcunet.Value, "paper:49kb", new TrainingOptions(10)).Program;
        var project = CProject.Emit(training, new CodegenOptions("mcunet-5fps", "paper:49kb"));
        project.WriteTo(directory);
        // The first value of the first trained tensor's initial copy in flash: the steps then start from another weight.
        var weights = File.ReadAllText(Path.Combine(directory, "model_weights.c"));
        var at = weights.IndexOf("const int32_t i", StringComparison.Ordinal);
        Assert.True(at >= 0, "no trained int32 tensor has an initial value in flash");
        var value = weights.IndexOf("{\n    ", at, StringComparison.Ordinal) + 6;
        File.WriteAllText(Path.Combine(directory, "model_weights.c"), weights[..value] + "12345 + " + weights[value..]);
        var (steps, inferences) = Requests(training, count: 1);

        var binary = BuildHost();
        DeviceSteps.Write(Path.Combine(directory, "steps.bin"), training, steps, inferences);
        var (exit, output) = CToolchain.Run(binary, ["steps.bin", "result.bin"], directory);
        Assert.True(exit == 0, output);
        var difference = DeviceSteps.Difference(training, DeviceSteps.Expected(training, steps, inferences), File.ReadAllBytes(Path.Combine(directory, "result.bin")), 1, 1);
        Assert.NotNull(difference);
    }

    /// <summary>Random images (a fixed seed) with labels and learning rates that move the weights visibly.</summary>
    internal static (List<DeviceStep> Steps, List<sbyte[]> Inferences) Requests(TrainingProgram training, int count)
    {
        var random = new Random(11);
        sbyte[] Image()
        {
            var image = new sbyte[training.Program.Tensors[training.Image].Bytes];
            random.NextBytes(MemoryMarshal.AsBytes(image.AsSpan()));
            return image;
        }
        var steps = Enumerable.Range(0, count).Select(i => new DeviceStep(Image(), (3 * i + 1) % 10, 0.05f / (i + 1))).ToList();
        return (steps, [Image()]);
    }

    private string BuildHost(string[]? extraFlags = null)
    {
        var sources = new[] { "model.c", "model_weights.c", "main.c", "board_host.c" }
            .Concat(Directory.GetFiles(Path.Combine(directory, CProject.RuntimeFolder), "*.c").Select(f => Path.GetRelativePath(directory, f)).Order(StringComparer.Ordinal));
        var (exit, output) = CToolchain.Run(CToolchain.HostCompiler(),
            [.. CToolchain.StrictFlags, .. extraFlags ?? [], "-I.", "-Itinytrain", "-o", "model_host", .. sources, "-lm"], directory);
        Assert.True(exit == 0, output);
        return Path.Combine(directory, "model_host");
    }
}
