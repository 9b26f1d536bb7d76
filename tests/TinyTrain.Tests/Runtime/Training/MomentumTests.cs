using System.Runtime.InteropServices;
using TinyTrain.CodeGen.Emitter;
using TinyTrain.Compiler;
using TinyTrain.Compiler.Autodiff;
using TinyTrain.Compiler.Lowered;
using TinyTrain.Compiler.Lowering;
using TinyTrain.Formats;
using TinyTrain.Ir;
using TinyTrain.Runtime;

namespace TinyTrain.Tests.Runtime.Training;

/// <summary>SGD's momentum is part of the program: the host and the generated C take it from the updates, not from a setting of their own.</summary>
public sealed class MomentumTests
{
    private static readonly Lazy<Graph> Mcunet = new(() => ModelLoader.Load(TestData.Path("tiny-training", "mcu_models", "mcunet-5fps.pkl")));

    private static TrainingProgram Compile(float momentum) => Compilation.CompileTraining(Mcunet.Value, "bias-only", new TrainingOptions(10), momentum).Program;

    private static IEnumerable<SgdUpdateCall> Updates(Program program) =>
        program.Calls.Select(c => c is FusedUpdateCall f ? f.Update : c as SgdUpdateCall).OfType<SgdUpdateCall>();

    [Theory]
    [InlineData(0f)]
    [InlineData(0.5f)]
    [InlineData(0.9f)]
    public void Every_update_carries_the_compiled_momentum_and_a_velocity_exactly_when_it_is_not_zero(float momentum)
    {
        var program = Compile(momentum).Program;
        Assert.NotEmpty(Updates(program));
        Assert.All(Updates(program), u =>
        {
            Assert.Equal(momentum, u.Momentum);
            Assert.Equal(momentum > 0, u.Velocity >= 0);
        });
        var header = CProject.Emit(Compile(momentum), new CodegenOptions("mcunet-5fps", "bias-only")).Files["model.h"];
        Assert.Contains($"#define MODEL_MOMENTUM {CLiterals.Float(momentum)}", header, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_momenta_train_to_different_biases_on_the_same_steps()
    {
        byte[] Train(float momentum)
        {
            var training = Compile(momentum);
            var executor = new Executor(training.Program) { LearningRate = 0.05f };
            var random = new Random(4);
            for (var step = 0; step < 3; step++)
            {
                var image = new sbyte[training.Program.Tensors[training.Image].Bytes];
                random.NextBytes(MemoryMarshal.AsBytes(image.AsSpan()));
                executor.SetImage(training.Image, image);
                executor.SetLabel(training.Label, step);
                executor.Run();
            }
            var bias = training.State.First(t => t.DType == DType.Int32);
            return executor.TensorBytes(bias.Id).ToArray();
        }
        Assert.NotEqual(Train(0.5f), Train(0.9f));
    }
}
