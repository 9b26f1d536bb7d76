using TinyTrain.Compiler;
using TinyTrain.Compiler.Autodiff;
using TinyTrain.Formats;
using TinyTrain.Ir;

namespace TinyTrain.Tests.Compiler.Autodiff;

public class PaperSchemeTrainingTests
{
    [Fact]
    public void The_bias_only_scheme_has_no_weight_gradient_and_no_gradient_into_the_image()
    {
        var model = ModelLoader.Load(TestData.Path("tiny-training", "mcu_models", "mcunet-5fps.pkl"));
        var compiled = Compilation.CompileTraining(model, "bias-only", new TrainingOptions(10));
        var ops = compiled.Differentiated.Graph.Operations.ToList();
        Assert.Equal(["head"], ops.Where(n => n.Op.Role is GradientRole.FilterGrad or GradientRole.BiasGrad && n.Op != Ops.BiasGrad).Select(n => ((ConvGradAttrs)n.Attrs).Forward.Name));
        Assert.Equal(42 + 1, ops.Count(n => n.Op == Ops.BiasGrad)); // every backbone bias and the head's
        // The first trained layer is the first conv: nothing propagates below it, into the image.
        Assert.DoesNotContain(ops, n => n.Attrs is ConvGradAttrs g && g.Forward.Name == "first_conv" && n.Op.Role == GradientRole.InputGrad);
        Assert.DoesNotContain(ops, n => n.Op.IsBackward && n.Inputs.Any(i => i == model.Input));
    }

    [Fact]
    public void Paper_99kb_on_mcunet_trains_exactly_the_tensors_of_the_scheme()
    {
        var model = ModelLoader.Load(TestData.Path("tiny-training", "mcu_models", "mcunet-5fps.pkl"));
        var compiled = Compilation.CompileTraining(model, "paper:99kb", new TrainingOptions(10));
        var convs = model.Operations.Where(n => n.Op is ConvLikeOp).SkipLast(1).ToList(); // backbone: classifier excluded
        Assert.Equal(42, convs.Count);

        // paper-notes 2.5: n_bias 22; weights 21:1, 24:1, 27:1, 30:1, 36:1/8, 39:1/4; the head always.
        var expected = new List<(string Name, int Channels)>();
        foreach (var (conv, i) in convs.Select((c, i) => (c, i)).Skip(42 - 22))
        {
            var ratio = i switch { 21 or 24 or 27 or 30 => 1.0, 36 => 1.0 / 8, 39 => 1.0 / 4, _ => 0 };
            if (ratio > 0) expected.Add((conv.Input(1).Name, (int)Math.Floor(ratio * conv.Input(1).Shape[3])));
            expected.Add((conv.Input(2)!.Name, 0));
        }
        expected.Add(("head.weight", 160));
        expected.Add(("head.bias", 0));

        var updates = compiled.Differentiated.Updates.Select(u => (u.Input(0).Name, ((SgdUpdateAttrs)u.Attrs).Channels.Length)).ToList();
        Assert.Equal(expected, updates);
        // No filter gradient exists for any other layer, and none below conv 20 has a gradient of any kind.
        var filterGrads = compiled.Differentiated.Graph.Operations.Where(n => (n.Op == Ops.Conv2DFilterGrad || n.Op == Ops.DepthwiseConv2DFilterGrad))
            .Select(n => ((ConvGradAttrs)n.Attrs).Forward.Name).Order().ToList();
        Assert.Equal([.. new[] { 21, 24, 27, 30, 36, 39 }.Select(i => convs[i].Name).Append("head").Order()], filterGrads);
        var lowest = convs[20];
        Assert.DoesNotContain(compiled.Differentiated.Graph.Operations, n => n.Attrs is ConvGradAttrs g && convs.IndexOf(g.Forward) is >= 0 and < 20);
        Assert.DoesNotContain(compiled.Differentiated.Graph.Operations, n => n.Attrs is ConvGradAttrs { Channels.IsEmpty: true } g && g.Forward == lowest);
    }
}
