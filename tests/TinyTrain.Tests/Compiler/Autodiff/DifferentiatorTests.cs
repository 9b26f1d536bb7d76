using TinyTrain.Compiler;
using TinyTrain.Compiler.Autodiff;
using TinyTrain.Formats;
using TinyTrain.Ir;

namespace TinyTrain.Tests.Compiler.Autodiff;

public class DifferentiatorTests
{
    private static readonly Lazy<Graph> Mcunet = new(() => ModelLoader.Load(TestData.Path("tiny-training", "mcu_models", "mcunet-5fps.pkl")));

    private static List<Node> Backbone(TrainingGraph t) =>
        [.. t.Graph.Operations.Where(n => n.Op is ConvLikeOp && n != t.Head)];

    private static Differentiator.Result Train(TrainingGraph t, IEnumerable<TrainableParameter> backbone, TrainingOptions options) =>
        Differentiator.Differentiate(t, [.. backbone, TrainableParameter.WholeFilter(t.Head), TrainableParameter.Bias(t.Head)], options);

    private static int Position(Graph g, Node n) => g.Nodes.IndexOf(n);

    [Fact]
    public void Bias_only_update_has_no_weight_gradient_and_no_input_gradient_below_the_first_trained_layer()
    {
        var options = new TrainingOptions(10);
        var t = TrainingGraph.Build(Mcunet.Value, options);
        var convs = Backbone(t);
        var trained = convs.TakeLast(6).ToList(); // biases of the last two blocks
        var result = Train(t, trained.Select(TrainableParameter.Bias), options);
        var ops = result.Graph.Operations.ToList();

        var filterGrads = ops.Where(n => (n.Op == Ops.Conv2DFilterGrad || n.Op == Ops.DepthwiseConv2DFilterGrad || n.Op == Ops.FullyConnectedFilterGrad)).ToList();
        Assert.Equal(["head"], filterGrads.Select(n => ((ConvGradAttrs)n.Attrs).Forward.Name));
        var firstTrained = Position(t.Graph, trained[0]);
        var inputGrads = ops.Where(n => n.Op.Role == GradientRole.InputGrad).Select(n => n.Attrs switch
        {
            ConvGradAttrs c => c.Forward,
            PoolGradAttrs p => t.Graph.Find(p.Pool)!,
            _ => throw new InvalidOperationException(),
        }).ToList();
        Assert.NotEmpty(inputGrads);
        Assert.All(inputGrads, forward => Assert.True(Position(t.Graph, forward) > firstTrained, $"{forward.Name} is below the first trained layer"));
        Assert.DoesNotContain(inputGrads, f => f == trained[0]); // nothing trains below it, so no gradient flows into its input
        Assert.Equal(trained.Count + 2, result.Updates.Length);
    }

    [Fact]
    public void Only_trained_filters_get_gradients_restricted_to_their_channels()
    {
        var options = new TrainingOptions(10);
        var t = TrainingGraph.Build(Mcunet.Value, options);
        var convs = Backbone(t);
        var pointwise = convs.First(c => c.Name == "blocks.12.pointwise1");
        var depthwise = convs.First(c => c.Name == "blocks.13.depthwise");
        var result = Train(t, [
            new TrainableParameter(pointwise, ParameterKind.Filter, [0, 5, 7]),
            TrainableParameter.WholeFilter(depthwise),
            .. convs.SkipWhile(c => c != pointwise).Select(TrainableParameter.Bias),
        ], options);

        var grads = result.Graph.Operations.Where(n => (n.Op == Ops.Conv2DFilterGrad || n.Op == Ops.DepthwiseConv2DFilterGrad)).ToDictionary(n => ((ConvGradAttrs)n.Attrs).Forward.Name);
        Assert.Equal(new Shape(pointwise.Shape[3], 1, 1, 3), grads[pointwise.Name].Shape);
        Assert.Equal(new Shape(1, depthwise.Input(1).Shape[1], depthwise.Input(1).Shape[2], depthwise.Shape[3]), grads[depthwise.Name].Shape);
        // The filter gradient reads the saved input activation of exactly its op.
        Assert.Same(pointwise.Input(0), grads[pointwise.Name].Input(0));
        Assert.Equal([pointwise.Name, depthwise.Name, "head"], grads.Keys.Order());
    }

    [Fact]
    public void Fan_out_gradients_of_a_residual_block_input_are_summed()
    {
        var options = new TrainingOptions(10);
        var t = TrainingGraph.Build(Mcunet.Value, options);
        var convs = Backbone(t);
        var result = Train(t, convs.TakeLast(12).Select(TrainableParameter.Bias), options);
        var sums = result.Graph.Operations.Where(n => n.Op == Ops.GradAdd).ToList();
        Assert.NotEmpty(sums);
        // Each sum adds the residual add's gradient to the gradient that came back through the block's first conv.
        Assert.All(sums, s => Assert.Contains(s.Inputs, i => i!.Op == Ops.RequantGrad && i.Name.Contains(".add.")));
    }

    [Fact]
    public void Backward_ops_read_forward_activations_only_where_a_weight_is_trained()
    {
        var options = new TrainingOptions(10);
        var t = TrainingGraph.Build(Mcunet.Value, options);
        var result = Train(t, Backbone(t).TakeLast(9).Select(TrainableParameter.Bias), options);
        var readers = result.Graph.Operations.Where(n => n.Op.IsBackward || n.Op == Ops.ClampMask)
            .SelectMany(n => n.Inputs.Where(i => i is { Type.DType: DType.Int8 } && i.Op != Ops.Constant).Select(i => (User: n, Activation: i!)))
            .ToList();
        // Bias-only: masks read their own op (fused into its forward kernel); the only saved activation is the head's input.
        Assert.All(readers, r => Assert.True(r.User.Op == Ops.ClampMask || r.User.Op == Ops.SoftmaxCrossEntropyGrad
            || ((ConvGradAttrs)r.User.Attrs).Forward == t.Head, $"{r.User.Name} reads {r.Activation.Name}"));
    }

    [Fact]
    public void Qas_divides_weight_gradients_by_the_squared_weight_scale_and_bias_gradients_by_the_squared_accumulator_scale()
    {
        var t = TrainingGraph.Build(Mcunet.Value, new TrainingOptions(10));
        var conv = Backbone(t)[^1];
        var withQas = Train(t, [TrainableParameter.WholeFilter(conv), TrainableParameter.Bias(conv)], new TrainingOptions(10, Qas: true));
        var withoutQas = Train(t, [TrainableParameter.WholeFilter(conv), TrainableParameter.Bias(conv)], new TrainingOptions(10, Qas: false));
        var sw = conv.Input(1).Quant!.ScaleAt(3);
        var sx = conv.Input(0).Quant!.Scale;
        var weight = (SgdUpdateAttrs)withQas.Updates[0].Attrs;
        var bias = (SgdUpdateAttrs)withQas.Updates[1].Attrs;
        Assert.Equal((float)(1 / (sw * sw)), weight.Qas[3]);
        Assert.Equal((float)(1 / (sw * sx * sw * sx)), bias.Qas[3]);
        Assert.All(((SgdUpdateAttrs)withoutQas.Updates[0].Attrs).Qas, f => Assert.Equal(1f, f));
        Assert.Equal(UpdatePolicy.Device, weight.Policy);
    }

    [Fact]
    public void An_fp32_head_trains_unscaled_and_passes_gradients_through_the_dequantisation()
    {
        var options = new TrainingOptions(5, HeadKind.Float);
        var t = TrainingGraph.Build(Mcunet.Value, options);
        Assert.Equal(DType.Float32, t.Head.Type.DType);
        Assert.Equal(new Shape(1, 5), t.Logits.Shape);
        var result = Train(t, Backbone(t).TakeLast(1).Select(TrainableParameter.Bias), options);
        Assert.Contains(result.Graph.Operations, n => n.Op == Ops.FullyConnectedInputGrad);
        Assert.All(((SgdUpdateAttrs)result.Updates[^1].Attrs).Qas, f => Assert.Equal(1f, f));
    }

    [Fact]
    public void A_tflite_model_gets_an_int8_fully_connected_head()
    {
        var model = ModelLoader.Load(TestData.Path("mlperf-tiny", "vww_96_int8.tflite"));
        var options = new TrainingOptions(2);
        var t = TrainingGraph.Build(model, options);
        Assert.Equal(Ops.FullyConnected, t.Head.Op);
        Assert.DoesNotContain(t.Graph.Operations, n => n.Op == Ops.Softmax);
        var result = Train(t, Backbone(t).TakeLast(3).Select(TrainableParameter.Bias), options);
        Assert.Contains(result.Graph.Operations, n => n.Op == Ops.AveragePool2DGrad);
    }

    /// <summary>
    /// Under the device policy the int8 head's weights keep an fp32 master copy exactly when the features they read are
    /// never negative (zero point -128, a ReLU's pool): there in-place rounding drifts every logit up. The paper's
    /// models read signed features (a linear bottleneck) and keep the device's in-place update; the bias never needs one.
    /// </summary>
    [Theory]
    [InlineData("mlperf-tiny/vww_96_int8.tflite", UpdatePolicy.Device, UpdatePolicy.Master)]
    [InlineData("tflite-micro/person_detection/person_detect.tflite", UpdatePolicy.Device, UpdatePolicy.Master)]
    [InlineData("zoo/mltk_image_example1.tflite", UpdatePolicy.Device, UpdatePolicy.Master)]
    [InlineData("tiny-training/mcu_models/mcunet-5fps.pkl", UpdatePolicy.Device, UpdatePolicy.Device)]
    [InlineData("tiny-training/mcu_models/mbv2-w0.35.pkl", UpdatePolicy.Device, UpdatePolicy.Device)]
    [InlineData("tiny-training/mcu_models/proxyless-w0.3.pkl", UpdatePolicy.Device, UpdatePolicy.Device)]
    [InlineData("mlperf-tiny/vww_96_int8.tflite", UpdatePolicy.Master, UpdatePolicy.Master)]
    public void The_head_keeps_a_master_copy_under_the_device_policy_only_for_one_signed_features(string path, UpdatePolicy policy, UpdatePolicy head)
    {
        var options = new TrainingOptions(10) { Policy = policy };
        var t = TrainingGraph.Build(ModelLoader.Load(TestData.Path(path.Split('/'))), options);
        var result = Train(t, Backbone(t).TakeLast(1).Select(TrainableParameter.Bias), options);
        var updates = result.Updates.ToDictionary(u => u.Input(0).Name, u => ((SgdUpdateAttrs)u.Attrs).Policy);
        Assert.Equal(head, updates["head.weight"]);
        Assert.Equal(policy, updates["head.bias"]);
        Assert.All(updates.Where(u => !u.Key.StartsWith("head.", StringComparison.Ordinal)), u => Assert.Equal(policy, u.Value));
    }

    [Fact]
    public void The_heads_clamp_has_no_mask()
    {
        var options = new TrainingOptions(10);
        var t = TrainingGraph.Build(Mcunet.Value, options);
        var result = Train(t, Backbone(t).TakeLast(2).Select(TrainableParameter.Bias), options);
        var masked = result.Graph.Operations.Where(n => n.Op == Ops.ClampMask).Select(n => n.Input(0)).ToList();
        Assert.DoesNotContain(t.Head, masked);
        Assert.Contains(Backbone(t)[^1], masked); // the backbone's ReLU clamps keep theirs
    }

    /// <summary>A Keras model pooled by MEAN trains its first conv: the gradient passes the mean (once refused).</summary>
    [Fact]
    public void Training_passes_through_a_mean()
    {
        var model = ModelLoader.Load(TestData.Path("tflite-micro-arduino-examples", "magic_wand", "magic_wand_model.tflite"));
        var options = new TrainingOptions(10);
        var t = TrainingGraph.Build(model, options);
        var result = Train(t, Backbone(t).Take(1).Select(TrainableParameter.Bias), options);
        var grad = Assert.Single(result.Graph.Operations, n => n.Op == Ops.MeanGrad);
        var mean = t.Graph.Operations.Single(n => n.Op == Ops.Mean);
        var a = grad.AttrsAs<MeanGradAttrs>();
        Assert.Equal((mean.Input(0).Shape[1], mean.Input(0).Shape[2]), (a.H, a.W));
        Assert.Equal((float)(mean.Input(0).Quant!.Scale / mean.Quant!.Scale / (a.H * a.W)), a.Scale);
    }

    [Fact]
    public void Training_through_an_unsupported_op_names_it()
    {
        // A softmax inside the network (real models have one only at the end, which training drops) has no gradient rule.
        var b = new GraphBuilder();
        var x = b.Input("x", DType.Int8, new Shape(1, 4, 4, 2), QuantParams.PerTensor(0.05, 0));
        var w = b.Constant("conv.w", TensorData.From(Enumerable.Range(0, 3 * 2).Select(i => (sbyte)(i - 3)).ToArray()), new Shape(3, 1, 1, 2), QuantParams.PerTensor(0.02, 0));
        var bias = b.Constant("conv.b", TensorData.From(new int[3]), new Shape(3), null);
        var conv = b.Conv2D("conv", x, w, bias, new Conv2DAttrs(1, 1, 1, 1, Padding2D.None, ClampRange.Int8, RequantKind.FixedPoint), QuantParams.PerTensor(0.1, 0));
        var inner = b.Op(Ops.Softmax, "inner_softmax", new SoftmaxAttrs(1.0), QuantParams.PerTensor(1 / 256.0, -128), conv);
        var mean = b.Op(Ops.Mean, "mean", new MeanAttrs(false), QuantParams.PerTensor(1 / 256.0, -128), inner);
        var fcw = b.Constant("fc.w", TensorData.From(new sbyte[2 * 3]), new Shape(2, 3), QuantParams.PerTensor(0.02, 0));
        var fc = b.FullyConnected("fc", mean, fcw, null, new FullyConnectedAttrs(ClampRange.Int8, RequantKind.FixedPoint), QuantParams.PerTensor(0.1, 0));
        var model = b.Build("inner-softmax", x, fc);
        var options = new TrainingOptions(10);
        var t = TrainingGraph.Build(model, options);
        var e = Assert.Throws<CompilationException>(() => Train(t, Backbone(t).Take(1).Select(TrainableParameter.Bias), options));
        Assert.Contains("Softmax", e.Message);
        Assert.Contains("inner_softmax", e.Message);
    }

    [Fact]
    public void A_parameter_that_cannot_reach_the_loss_is_an_error()
    {
        var options = new TrainingOptions(10);
        var t = TrainingGraph.Build(Mcunet.Value, options);
        var stranger = Mcunet.Value.Find("classifier")!; // the replaced classifier is not in the training graph
        Assert.Throws<CompilationException>(() => Differentiator.Differentiate(t, [TrainableParameter.Bias(stranger)], options));
    }
}
