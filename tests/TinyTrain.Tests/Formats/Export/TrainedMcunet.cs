using TinyTrain.Compiler;
using TinyTrain.Compiler.Autodiff;
using TinyTrain.Data;
using TinyTrain.Formats;
using TinyTrain.Ir;
using TinyTrain.Runtime.Training;

namespace TinyTrain.Tests.Formats.Export;

/// <summary>
/// mcunet-5fps fine-tuned for a few steps on Fashion-MNIST with a scheme that trains some input channels of some
/// filters (kept as SRAM slices), plus held-out test images: shared by the export tests, trained once.
/// </summary>
public static class TrainedMcunet
{
    public const string Scheme = "paper:49kb";

    private static readonly Lazy<(Compilation.Training Compiled, Trainer Trainer, Graph Model, sbyte[][] Images)> State = new(Train);

    public static Compilation.Training Compiled => State.Value.Compiled;
    public static Trainer Trainer => State.Value.Trainer;

    /// <summary>The trained model as an inference graph (float requantisation, as trained).</summary>
    public static Graph Model => State.Value.Model;

    /// <summary>Fashion-MNIST test images encoded for the model's 128x128x3 input.</summary>
    public static sbyte[][] Images => State.Value.Images;

    private static (Compilation.Training, Trainer, Graph, sbyte[][]) Train()
    {
        var backbone = ModelLoader.Load(TestData.Path("tiny-training", "mcu_models", "mcunet-5fps.pkl"));
        var split = DatasetCatalog.Open("fashion-mnist", TestData.Root);
        var reader = new BatchReader(split.Train, 128, 128, 3, seed: 5);
        var plan = DataPlan.Create(split.Train, seed: 5, 48, ValidationSplit.None);
        // As train does: the head works on features divided by their rms (else lr 0.05 drives its weights to +-127).
        var options = new TrainingOptions(10) { FeatureRms = FeatureScale.Rms(backbone, reader, plan.Train) };
        var compiled = Compilation.CompileTraining(backbone, Scheme, options);
        var trainer = new Trainer(compiled.Program, new TrainerOptions { Epochs = 1, LearningRate = 0.05f });
        trainer.Train(reader, plan);
        var test = new BatchReader(split.Test!, 128, 128, 3, seed: 5);
        var images = new List<sbyte[]>();
        foreach (var batch in test.Batches([.. Enumerable.Range(0, 200)], 50, augment: false, epoch: 0))
            images.AddRange(batch.Inputs.Take(batch.Count).Select(i => (sbyte[])i.Clone()));
        return (compiled, trainer, TrainedModel.Build(compiled, trainer.Model), [.. images]);
    }
}
