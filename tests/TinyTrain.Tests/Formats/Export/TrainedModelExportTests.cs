using TinyTrain.Compiler;
using TinyTrain.Compiler.Autodiff;
using TinyTrain.Compiler.Lowered;
using TinyTrain.Compiler.Lowering;
using TinyTrain.Compiler.Schedule;
using TinyTrain.Formats;
using TinyTrain.Formats.Tflite;
using TinyTrain.Ir;
using TinyTrain.Runtime;
using TinyTrain.Runtime.Training;
using TinyTrain.Tests.Runtime;
using Xunit.Abstractions;

namespace TinyTrain.Tests.Formats.Export;

/// <summary>A fine-tuned paper model as an inference graph, from a live trainer and from a checkpoint, and as .tflite.</summary>
public class TrainedModelExportTests(ITestOutputHelper output)
{
    [Fact]
    public void The_trained_graph_computes_the_training_programs_int8_logits()
    {
        var compiled = TrainedMcunet.Compiled;
        var program = compiled.Program;
        var executor = new Executor(program.Program);
        executor.CopyStateFrom(TrainedMcunet.Trainer.Model);
        var forwardCalls = program.Program.Calls.ToList().FindIndex(c => c is SoftmaxCrossEntropyCall) + 1;
        var inference = InferenceLowering.Lower(TrainedMcunet.Model);
        foreach (var image in TrainedMcunet.Images.Take(8))
        {
            executor.SetImage(program.Image, image);
            executor.SetLabel(program.Label, 0);
            executor.RunPrefix(forwardCalls);
            var expected = executor.Floats(program.Logits).ToArray().Select(v => (int)MathF.Round(v / (float)TrainingOptions.HeadOutputScale));
            Assert.Equal(expected, TfliteExportTests.Run(inference, image).Select(v => (int)v));
        }
    }

    [Fact]
    public void Trained_slices_are_merged_back_into_their_frozen_filters()
    {
        var program = TrainedMcunet.Compiled.Program.Program;
        var merge = program.Calls.OfType<SliceMergeCall>().First();
        var frozen = program.Tensors[merge.Frozen];
        var original = frozen.Data!.As<sbyte>();
        var trained = TrainedMcunet.Model.Find(frozen.Name)!.ConstantData.As<sbyte>();
        var inner = TrainedMcunet.Model.Find(frozen.Name)!.Shape[-1];
        var changedTrained = false;
        for (var i = 0; i < original.Length; i++)
        {
            var trainedChannel = merge.Channels.Contains(i % inner);
            if (!trainedChannel) Assert.Equal(original[i], trained[i]); // frozen channels stay as in flash
            else changedTrained |= original[i] != trained[i];
        }
        Assert.True(changedTrained, $"{frozen.Name}: no trained channel moved in {original.Length} weights");
    }

    [Fact]
    public void A_checkpoint_gives_the_same_trained_model()
    {
        var path = Path.Combine(Path.GetTempPath(), $"tinytrain-{Guid.NewGuid():N}.ckpt");
        try
        {
            new Checkpoint(1, 0, 0, 0, 0, 0, []).Save(path, TrainedMcunet.Trainer.Model, TrainedMcunet.Compiled.Program.FeatureRms);
            var fromCheckpoint = TrainedModel.FromCheckpoint(TrainedMcunet.Compiled, path, TrainedMcunet.Model.Name);
            GraphAssert.Equal(TrainedMcunet.Model, fromCheckpoint);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void An_fp32_head_cannot_be_exported_and_says_so()
    {
        var backbone = TrainedMcunet.Compiled.Graph.Graph.Inputs[0]; // force the shared model to load
        Assert.NotNull(backbone);
        var model = ModelLoader.Load(TestData.Path("tiny-training", "mcu_models", "mcunet-5fps.pkl"));
        var compiled = Compilation.CompileTraining(model, "head-only", new TrainingOptions(10, HeadKind.Float));
        var e = Assert.Throws<CompilationException>(() => TrainedModel.Build(compiled, new Executor(compiled.Program.Program)));
        Assert.Contains("fp32 head", e.Message);
    }

    /// <summary>
    /// The fine-tuned head is a real one: before issue 16 was fixed every logit of this model sat at the clamp (+-16)
    /// for every image, so any export agreed. Fixed point against float32 requantisation moves the pooled features by
    /// up to 1 LSB and the logits by up to 2 (measured: 2, on 178 of 200 images), and top-1 where two classes are
    /// close (measured: it agrees on 185 of 200).
    /// </summary>
    [Fact]
    public void A_trained_paper_model_through_tflite_stays_within_two_LSB_on_real_images()
    {
        var model = TrainedMcunet.Model;
        Assert.NotEmpty(TfliteExporter.InexactOps(model)); // float requantisation becomes TFLite's fixed point
        var back = TfliteExportTests.ReadBack(TfliteExporter.Write(model), model.Name);
        var (ours, theirs) = (InferenceLowering.Lower(model, MemoryOptions.None), InferenceLowering.Lower(back, MemoryOptions.None)); // layer by layer
        var (maxDiff, agree, differing, clamped) = (0, 0, 0, 0);
        foreach (var image in TrainedMcunet.Images)
        {
            var (a, b) = (TfliteExportTests.Run(ours, image), TfliteExportTests.Run(theirs, image));
            clamped += a.Count(v => v is 127 or -128);
            var diff = a.Zip(b, (x, y) => Math.Abs(x - y)).Max();
            maxDiff = Math.Max(maxDiff, diff);
            differing += diff > 0 ? 1 : 0;
            agree += Top1(a) == Top1(b) ? 1 : 0;
        }
        // The numerics do differ inside the network (fixed point vs float32 requantisation): count it on one image.
        var (inner1, inner2) = (ModelRunner.RunAll(ours, TrainedMcunet.Images[0], KernelVariant.Auto), ModelRunner.RunAll(theirs, TrainedMcunet.Images[0], KernelVariant.Auto));
        var innerDiffs = inner1.Where(kv => inner2.ContainsKey(kv.Key)).Sum(kv => kv.Value.Zip(inner2[kv.Key], (x, y) => x != y ? 1 : 0).Sum());
        Assert.True(innerDiffs > 0, "fixed point and float requantisation should differ somewhere inside the network");
        var poolDiff = inner1["pool"].Zip(inner2["pool"], (x, y) => Math.Abs(x - y)).Max();
        output.WriteLine($"{innerDiffs} intermediate int8 values differ on the first image; the pooled features by up to {poolDiff} LSB");
        output.WriteLine($"tflite round trip of trained mcunet-5fps: max |diff| {maxDiff} LSB, {differing}/{TrainedMcunet.Images.Length} outputs differ, top-1 agrees on {agree}/{TrainedMcunet.Images.Length}");
        Assert.True(clamped < TrainedMcunet.Images.Length, $"{clamped} logits of {TrainedMcunet.Images.Length} images at the clamp");
        Assert.InRange(maxDiff, 0, 2);
        Assert.True(agree >= TrainedMcunet.Images.Length * 0.9, $"top-1 agrees on {agree}/{TrainedMcunet.Images.Length}");
    }

    [Fact]
    public void The_paper_backbone_through_tflite_mostly_keeps_its_top1()
    {
        // The 1000 ImageNet logits show TFLite's fixed point far more than the coarse fine-tuned head does: 1-LSB
        // requantisation differences add up over 42 convs, and on Fashion-MNIST (not ImageNet) the top logits are
        // close, so top-1 is fragile. Measured: max 18 LSB, top-1 agrees on 29 of 40.
        var model = ModelLoader.Load(TestData.Path("tiny-training", "mcu_models", "mcunet-5fps.pkl"));
        var back = TfliteExportTests.ReadBack(TfliteExporter.Write(model), model.Name);
        var (ours, theirs) = (InferenceLowering.Lower(model, MemoryOptions.None), InferenceLowering.Lower(back, MemoryOptions.None)); // layer by layer
        var images = TrainedMcunet.Images.Take(40).ToList();
        var (maxDiff, agree) = (0, 0);
        foreach (var image in images)
        {
            var (a, b) = (TfliteExportTests.Run(ours, image), TfliteExportTests.Run(theirs, image));
            maxDiff = Math.Max(maxDiff, a.Zip(b, (x, y) => Math.Abs(x - y)).Max());
            agree += Top1(a) == Top1(b) ? 1 : 0;
        }
        output.WriteLine($"mcunet-5fps backbone through tflite: max |diff| {maxDiff} LSB over 1000 logits, top-1 agrees on {agree}/{images.Count}");
        Assert.True(agree >= images.Count * 0.6, $"top-1 agrees on {agree}/{images.Count}");
    }

    internal static int Top1(sbyte[] logits)
    {
        var best = 0;
        for (var i = 1; i < logits.Length; i++) if (logits[i] > logits[best]) best = i;
        return best;
    }
}
