using TinyTrain.Compiler.Lowering;
using TinyTrain.Compiler.Precision;
using TinyTrain.Data;
using TinyTrain.Formats;
using TinyTrain.Ir;
using TinyTrain.Runtime;
using TinyTrain.Tests.Runtime;

namespace TinyTrain.Tests.Compiler.Precision;

public class FloatConversionTests
{
    [Fact]
    public void The_fp32_mode_computes_what_the_int8_model_approximates()
    {
        var model = ModelLoader.Load(TestData.Path("tiny-training", "mcu_models", "mcunet-5fps.pkl"));
        var real = FloatConversion.Convert(model);
        Assert.Equal(model.Name, real.Name);
        Assert.All(real.Operations.Where(n => n.Op is ConvLikeOp), n => Assert.Equal(DType.Float32, n.Type.DType));

        var image = ModelRunner.Image(Photos.Chelsea, model.Input.Shape, PixelEncoding.Offset);
        var int8 = new sbyte[1000];
        new Executor(InferenceLowering.Lower(model)).Run(image, int8);
        var program = InferenceLowering.Lower(real);
        var executor = new Executor(program);
        image.CopyTo(executor.Input);
        executor.Run();
        var fp32 = executor.Floats(program.Output.Id).ToArray();

        // The int8 logits are the fp32 logits quantised, plus accumulated rounding noise of 43 layers.
        var q = model.Output.Quant!;
        var dequantised = int8.Select(v => (float)(q.Scale * (v - q.ZeroPoint))).ToArray();
        var correlation = Correlation(fp32, dequantised);
        Assert.True(correlation > 0.95, $"fp32 and int8 logits correlate only {correlation:F3}");
        Assert.Equal(Array.IndexOf(dequantised, dequantised.Max()), Array.IndexOf(fp32, fp32.Max()));
    }

    [Fact]
    public void Filters_and_biases_become_their_real_values()
    {
        var model = ModelLoader.Load(TestData.Path("tiny-training", "mcu_models", "mbv2-w0.35.pkl"));
        var real = FloatConversion.Convert(model, out var map);
        var conv = model.Find("blocks.3.depthwise")!;
        var converted = map[conv];
        var q = conv.Input(1).ConstantData.ToSByteArray();
        var w = converted.Input(1).ConstantData.ToFloatArray();
        var channels = conv.Shape[3];
        for (var i = 0; i < q.Length; i += 37) Assert.Equal((float)(conv.Input(1).Quant!.ScaleAt(i % channels) * q[i]), w[i]);
        var bias = conv.Input(2).ConstantData.As<int>();
        var realBias = converted.Input(2).ConstantData.As<float>();
        Assert.Equal((float)(conv.Input(1).Quant!.ScaleAt(5) * conv.Input(0).Quant!.Scale * bias[5]), realBias[5]);
        var (min, max) = ClampRange.Real(conv.AttrsAs<DepthwiseConv2DAttrs>().Clamp, conv.Quant);
        Assert.Equal((float)(conv.Quant!.Scale * (-128 - conv.Quant.ZeroPoint)), min);
        Assert.Equal((float)(conv.Quant.Scale * (127 - conv.Quant.ZeroPoint)), max);
    }

    private static double Correlation(float[] a, float[] b)
    {
        double ma = a.Average(), mb = b.Average(), sab = 0, saa = 0, sbb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return sab / Math.Sqrt(saa * sbb);
    }
}
