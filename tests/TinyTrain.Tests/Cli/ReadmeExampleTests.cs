using TinyTrain.Compiler;
using TinyTrain.Compiler.Autodiff;
using TinyTrain.Data;
using TinyTrain.Formats;
using TinyTrain.Formats.Onnx;
using TinyTrain.Formats.Tflite;
using TinyTrain.Runtime.Training;

namespace TinyTrain.Tests.Cli;

/// <summary>The README's library example, verbatim but for the sizes and the paths, so that it keeps compiling and working.</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public void Load_plan_train_export()
    {
        using var folder = new TemporaryFolder("tinytrain-readme-");
        // --- README: library example ---
        var graph = ModelLoader.Load("mcunet-5fps", null);                               // or a .tflite / .pkl path
        var data = DatasetCatalog.Open("fashion-mnist", SharedData.TryFind()).Train;
        var compiled = Compilation.CompileTraining(graph, "paper:49kb", new TrainingOptions(data.Classes));
        Console.WriteLine($"one training step needs {compiled.Program.Program.ArenaBytes:N0} B of SRAM");
        var plan = DataPlan.Create(data, seed: 1, limit: 160, ValidationSplit.OfCount(60));
        var reader = new BatchReader(data, 128, 128, 3, seed: 1);
        var trainer = new Trainer(compiled.Program, new TrainerOptions { Epochs = 1, LearningRate = 0.01f });
        var before = trainer.Evaluate(reader, plan.Validation);
        trainer.Train(reader, plan);
        var after = trainer.Evaluate(reader, plan.Validation);
        var trained = TrainedModel.Build(compiled, trainer.Model);                         // slices merged back, int8 head
        TfliteExporter.Save(trained, folder.File("mcunet-fashion.tflite"));
        OnnxExporter.Save(trained, folder.File("mcunet-fashion.onnx"));
        // --- end ---

        Assert.True(after > before, $"{before:P1} -> {after:P1}");
        Assert.Equal(10, ModelLoader.Load(folder.File("mcunet-fashion.tflite"), null).Output.Shape.Elements);
        Assert.True(new FileInfo(folder.File("mcunet-fashion.onnx")).Length > 100_000);
    }
}
