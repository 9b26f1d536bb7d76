using System.Runtime.InteropServices;
using TinyTrain.Compiler;
using TinyTrain.Compiler.Autodiff;
using TinyTrain.Compiler.Lowered;
using TinyTrain.Formats;
using TinyTrain.Runtime;

namespace TinyTrain.Tests.Runtime.Training;

public class TrainingParityTests
{
    [Theory]
    [InlineData("paper:99kb")]
    [InlineData("last:6")]
    public void Training_steps_with_simd_kernels_equal_the_reference_bit_for_bit(string scheme)
    {
        var model = ModelLoader.Load(TestData.Path("tiny-training", "mcu_models", "mcunet-5fps.pkl"));
        var program = Compilation.CompileTraining(model, scheme, new TrainingOptions(10)).Program;
        var simd = new Executor(program.Program) { LearningRate = 0.01f };
        var reference = new Executor(program.Program, KernelVariant.Reference) { LearningRate = 0.01f };
        var random = new Random(9);
        for (var step = 0; step < 5; step++)
        {
            var image = new sbyte[program.Program.Tensors[program.Image].Bytes];
            random.NextBytes(MemoryMarshal.AsBytes(image.AsSpan()));
            foreach (var executor in new[] { simd, reference })
            {
                executor.SetImage(program.Image, image);
                executor.SetLabel(program.Label, step % 10);
                executor.Run();
            }
            Assert.Equal(reference.Floats(program.Loss)[0], simd.Floats(program.Loss)[0]);
        }
        var state = program.Program.Tensors.Where(t => t.Placement == TensorPlacement.Persistent).ToList();
        Assert.NotEmpty(state);
        foreach (var t in state)
            Assert.True(reference.TensorBytes(t.Id).SequenceEqual(simd.TensorBytes(t.Id)), $"{t.Name} differs after 5 steps");
        // And the steps did train: at least one parameter moved.
        Assert.Contains(state, t => !simd.TensorBytes(t.Id).SequenceEqual(t.Data!.Bytes));
    }
}
