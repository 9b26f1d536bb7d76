using TinyTrain.Data;
using TinyTrain.Formats;
using TinyTrain.Ir;
using TinyTrain.Tests.Runtime.Training;
using static TinyTrain.Tests.Cli.CliRunner;

namespace TinyTrain.Tests.Data;

/// <summary>Images fill a model's input as its type asks: the pixel range 0..255 spans the input's whole quantised range.</summary>
public class ImageInputTests
{
    /// <summary>
    /// Pixel 0 and 255 land on the ends of the input's range, whatever its scale and zero point: vww_96_int8 (1/255,
    /// -128) reads pixel / 255, person_detect (1/127.5, -1) about pixel / 127.5 - 1, MLPerf's ResNet-8 (1, -128) the
    /// pixel, mcunet (1/127.5, 0) its (pixel - 128) / 127.5, and the uint8 input of aww_v01 the pixel itself.
    /// </summary>
    [Theory]
    [InlineData("mlperf-tiny/vww_96_int8.tflite", 0.0, 1.0)]
    [InlineData("tflite-micro/person_detection/person_detect.tflite", -127 / 127.5, 128 / 127.5)]
    [InlineData("mlperf-tiny/pretrainedResnet_quant.tflite", 0.0, 255.0)]
    [InlineData("tiny-training/mcu_models/mcunet-5fps.pkl", -128 / 127.5, 127 / 127.5)]
    [InlineData("zoo/aww_v01_uint8in.tflite", -216 * 0.572002, 39 * 0.572002)]
    public void Pixels_span_the_quantised_range_of_the_models_input(string path, double black, double white)
    {
        var input = ModelLoader.Load(TestData.Path(path.Split('/'))).Input;
        var form = ImageInput.Of(input.Type, "data");
        var pixels = InputEncoder.Encode(new Image8(3, 1, 1, [0, 128, 255]), 1, 3, 1, form.Encoding);
        var bytes = input.Type.DType == DType.UInt8 ? pixels.Select(q => (int)unchecked((byte)q)).ToArray() : pixels.Select(q => (int)q).ToArray();
        Assert.Equal(input.Type.DType == DType.UInt8 ? [0, 128, 255] : [-128, 0, 127], bytes);
        var real = bytes.Select(q => input.Quant!.Scale * (q - input.Quant.ZeroPoint)).ToArray();
        Assert.Equal(black, real[0], 1e-4);
        Assert.Equal(white, real[2], 1e-4);
    }

    [Fact]
    public void A_uint8_model_reads_the_pixels_themselves_through_the_batch_reader()
    {
        var model = ModelLoader.Load(TestData.Path("zoo", "aww_v01_uint8in.tflite"));
        var images = new SeparableImages(perClass: 1, side: 4);
        var reader = new BatchReader(images, ImageInput.Of(model.Input.Type, images.Name), seed: 1);
        var batch = reader.Batches([1], 1, augment: false, epoch: 0).First(); // a bright image: pixels near 200
        var bytes = batch.Inputs[0].Select(q => unchecked((byte)q)).ToArray();
        Assert.All(bytes, b => Assert.InRange(b, 150, 255)); // pixel - 128 would have been 22..127 as bytes
        Assert.Equal(49 * 10, bytes.Length);
    }

    [Theory]
    [InlineData("mlperf-tiny/ad01_int8.tflite", "not an NHWC image")]
    [InlineData("zoo/mltk_kws_onoff_v3.tflite", "104 channels")]
    public void A_model_images_cannot_fill_is_a_one_line_data_error(string path, string reason)
    {
        var input = ModelLoader.Load(TestData.Path(path.Split('/'))).Input;
        var e = Assert.Throws<DataFormatException>(() => ImageInput.Of(input.Type, "fashion-mnist/train"));
        Assert.Contains(reason, e.Message);
        Assert.StartsWith("fashion-mnist/train: images cannot fill the model's input", e.Message);
        Assert.Throws<DataFormatException>(() => ImageInput.Of(new TensorType(DType.Float32, new Shape(1, 8, 8, 1)), "x"));
    }

    [Theory]
    [InlineData("train|{0}/mlperf-tiny/ad01_int8.tflite|--data|mnist|--limit|20|--val|5", "not an NHWC image")]
    [InlineData("train|{0}/zoo/mltk_kws_onoff_v3.tflite|--data|mnist|--limit|20|--val|5", "104 channels")]
    [InlineData("search|{0}/zoo/mltk_kws_onoff_v3.tflite|--data|mnist|--limit|20|--val|5|--budget|1MB", "104 channels")]
    [InlineData("codegen|{0}/mlperf-tiny/ad01_int8.tflite|--scheme|bias-only|--data|mnist|--out|/tmp/tinytrain-never", "not an NHWC image")]
    [InlineData("infer|{0}/zoo/mltk_kws_onoff_v3.tflite|--input|{0}/tflite-micro/person_detection/person.bmp", "104 channels")]
    public void Commands_refuse_a_model_images_cannot_fill_in_one_line(string command, string reason)
    {
        var (code, _, err) = Run(string.Format(command, TestData.Root).Split('|'));
        Assert.Equal(1, code);
        Assert.Contains(reason, err);
        Assert.Single(err.Trim().Split('\n'));
    }
}
