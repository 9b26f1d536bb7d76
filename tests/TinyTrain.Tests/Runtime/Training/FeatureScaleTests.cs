using TinyTrain.Compiler;
using TinyTrain.Compiler.Autodiff;
using TinyTrain.Compiler.Lowered;
using TinyTrain.Data;
using TinyTrain.Ir;
using TinyTrain.Runtime;
using TinyTrain.Runtime.Training;

namespace TinyTrain.Tests.Runtime.Training;

/// <summary>
/// The new head trains on features divided by their rms (<see cref="FeatureScale"/>): one SGD step moves a logit by
/// lr * g * (D + 1) (D features of rms 1, and the bias), whether the backbone's features are a thousand times
/// smaller or larger than 1.
/// </summary>
public class FeatureScaleTests
{
    private const int Channels = 32;

    /// <summary>A 1x1 conv to 32 channels whose real outputs are <paramref name="k"/> times larger than at k = 1, a pool, and a classifier.</summary>
    private static Graph Model(double k, int zeroPoint = 0)
    {
        var random = new Random(3);
        var b = new GraphBuilder();
        var x = b.Input("x", DType.Int8, new Shape(1, 4, 4, 1), QuantParams.PerTensor(1 / 255.0, -128));
        var weights = b.Constant("conv.w", TensorData.From(Enumerable.Range(0, Channels).Select(_ => (sbyte)random.Next(-127, 128)).ToArray()),
            new Shape(Channels, 1, 1, 1), QuantParams.PerChannel(Enumerable.Repeat(0.01 * k, Channels), 0));
        var features = QuantParams.PerTensor(0.002 * k, zeroPoint);
        var conv = b.Conv2D("conv", x, weights, null, new Conv2DAttrs(1, 1, 1, 1, Padding2D.None, ClampRange.Int8, RequantKind.Float), features);
        var pool = b.AveragePool2D("pool", conv, new AveragePool2DAttrs(4, 4, 4, 4, Padding2D.None, ClampRange.Int8, AverageRounding.HalfToEven), features);
        var flat = b.Reshape("flat", pool, new Shape(1, Channels));
        var classifier = b.FullyConnected("classifier", flat,
            b.Constant("classifier.w", TensorData.From(new sbyte[3 * Channels]), new Shape(3, Channels), QuantParams.PerChannel([0.01, 0.01, 0.01], 0)),
            null, new FullyConnectedAttrs(ClampRange.Int8, RequantKind.Float), QuantParams.PerTensor(0.1, 0));
        return b.Build("scaled", x, classifier);
    }

    private static readonly SeparableImages Images = new(perClass: 4, side: 4);

    private static BatchReader Reader() => new(Images, 4, 4, 1, seed: 1);

    [Fact]
    public void The_rms_follows_the_backbone_scale_and_is_deterministic()
    {
        int[] training = [.. Enumerable.Range(0, Images.Count)];
        var one = FeatureScale.Rms(Model(1), Reader(), training);
        Assert.Equal(one, FeatureScale.Rms(Model(1), Reader(), training));
        // Same integers, scales 1000 times larger: the same rms in real units, 1000 times larger.
        Assert.Equal(1000 * one, FeatureScale.Rms(Model(1000), Reader(), training), one * 1e-9);
        Assert.InRange(one, 0.01, 0.3);
    }

    [Theory]
    [InlineData(HeadKind.Int8, 0.001)]
    [InlineData(HeadKind.Int8, 1)]
    [InlineData(HeadKind.Int8, 500)]
    [InlineData(HeadKind.Float, 0.001)]
    [InlineData(HeadKind.Float, 500)]
    public void One_step_moves_the_logits_by_lr_g_D_whatever_the_feature_scale(HeadKind head, double k)
    {
        var model = Model(k);
        const int image = 4; // a bright image, class 1
        var rms = FeatureScale.Rms(model, Reader(), [image]); // of this image alone: its ||x||^2 / rms^2 is exactly D
        var (before, after) = Step(model, new TrainingOptions(3, head) { FeatureRms = rms }, image, lr: 0.05f);
        Assert.All(before, z => Assert.Equal(0f, z));
        for (var c = 0; c < 3; c++)
        {
            var g = 1.0 / 3 - (c == Images.Label(image) ? 1 : 0); // softmax of zero logits minus the label
            var expected = -0.05 * g * (Channels + 1);
            Assert.InRange(after[c] - before[c], expected - 0.1 - 0.05 * Math.Abs(expected), expected + 0.1 + 0.05 * Math.Abs(expected));
        }
    }

    [Fact]
    public void Without_the_rms_small_features_barely_move_the_logits()
    {
        // What issue 16 saw: features of rms 0.0001 make the weights' step vanish; only the bias moves the logits.
        var (_, after) = Step(Model(0.001), new TrainingOptions(3), 4, lr: 0.05f);
        Assert.InRange(after[1], 0, 0.05 * 2.0 / 3 * 2);
    }

    /// <summary>The logits of <paramref name="image"/> before and after one training step on it (the image is set before each run: the arena reuses its bytes).</summary>
    private static (float[] Before, float[] After) Step(Graph model, TrainingOptions options, int image, float lr)
    {
        var compiled = Compilation.CompileTraining(model, "head-only", options);
        var program = compiled.Program;
        var executor = new Executor(program.Program) { LearningRate = lr };
        var input = new sbyte[Images.Side * Images.Side];
        var labels = new int[1];
        Reader().EncodeBatch([image], [input], labels, augment: false, epoch: 0);
        var forward = program.Program.Calls.ToList().FindIndex(c => c is SoftmaxCrossEntropyCall) + 1;
        float[] Run(bool step)
        {
            executor.SetImage(program.Image, input);
            executor.SetLabel(program.Label, labels[0]);
            if (step) executor.Run();
            else executor.RunPrefix(forward);
            return executor.Floats(program.Logits).ToArray();
        }
        var before = Run(step: false);
        Run(step: true);
        return (before, Run(step: false));
    }
}
