using static TinyTrain.Tests.Cli.CliRunner;

namespace TinyTrain.Tests.Cli;

public class CliTests
{
    [Fact]
    public void Inspect_json_has_the_contract_keys_and_counts_the_paper_model()
    {
        var json = Json("inspect", TestData.Path("tiny-training", "mcu_models", "mcunet-5fps.pkl"), "--json");
        foreach (var key in new[] { "layers", "params", "macs", "inputShape", "outputShape" }) Assert.True(json.TryGetProperty(key, out _), key);
        Assert.Equal([1, 128, 128, 3], json.GetProperty("inputShape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal([1, 1000], json.GetProperty("outputShape").EnumerateArray().Select(e => e.GetInt32()));
        var layers = json.GetProperty("layers").EnumerateArray().ToList();
        Assert.Equal(json.GetProperty("macs").GetInt64(), layers.Sum(l => l.GetProperty("macs").GetInt64()));
        // 463,216 backbone conv weights + 160x1000 classifier weights (paper-notes §4.3), plus one bias per output channel.
        var biases = layers.Where(l => l.GetProperty("params").GetInt64() > 0).Sum(l => l.GetProperty("outputShape").EnumerateArray().Last().GetInt64());
        Assert.Equal(463_216 + 160_000 + biases, json.GetProperty("params").GetInt64());
    }

    [Fact]
    public void Infer_json_gives_the_golden_softmax_of_person_detect()
    {
        var json = Json("infer", TestData.Path("tflite-micro", "person_detection", "person_detect.tflite"),
            "--input", TestData.Path("tflite-micro", "person_detection", "person.bmp"), "--pixels", "Raw", "--json");
        Assert.Equal([-113, 113], json.GetProperty("output").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(1, json.GetProperty("top").GetInt32());
    }

    [Fact]
    public void Infer_reads_an_image_from_an_idx_dataset_by_index()
    {
        var images = TestData.Path("fashion-mnist", "t10k-images-idx3-ubyte.gz");
        Assert.Equal(1000, Json("infer", "mcunet-5fps", "--input", images, "--index", "3", "--json").GetProperty("output").GetArrayLength());
        var (missing, _, missingErr) = Run("infer", "mcunet-5fps", "--input", images);
        Assert.NotEqual(0, missing);
        Assert.Contains("--index", missingErr);
    }

    [Theory]
    [InlineData("mnist_lstm/trained_lstm_int8.tflite", "UNIDIRECTIONAL_SEQUENCE_LSTM")]
    [InlineData("hello_world/hello_world_float.tflite", "float32")]
    [InlineData("micro_speech/audio_preprocessor_int8.tflite", "unsupported operator")]
    public void Unsupported_models_fail_with_one_line_naming_the_reason(string model, string reason)
    {
        var (code, output, err) = Run("inspect", TestData.Path(["tflite-micro", .. model.Split('/')]));
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Contains(reason, err);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.StartsWith("tinytrain: ", err);
    }

    [Fact]
    public void A_raw_input_of_the_wrong_size_names_both_sizes()
    {
        using var folder = new TemporaryFolder("tinytrain-infer-");
        var bin = folder.File("input.bin");
        File.WriteAllBytes(bin, new byte[10]);
        var (code, _, err) = Run("infer", TestData.Path("tflite-micro", "hello_world", "hello_world_int8.tflite"), "--input", bin);
        Assert.Equal(1, code);
        Assert.Contains("10", err);
        Assert.Contains("1", err);
    }

    [Fact]
    public void Unknown_model_name_lists_the_known_ones()
    {
        var (code, _, err) = Run("inspect", "resnet-9000");
        Assert.Equal(1, code);
        Assert.Contains("mcunet-5fps", err);
    }
}
