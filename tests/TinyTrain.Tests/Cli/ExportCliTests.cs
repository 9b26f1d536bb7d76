using System.Text.Json;
using TinyTrain.Formats.Tflite;
using static TinyTrain.Tests.Cli.CliRunner;

namespace TinyTrain.Tests.Cli;

public class ExportCliTests
{
    [Fact]
    public void Export_json_names_the_file_and_the_format_and_writes_a_readable_model()
    {
        using var folder = new TemporaryFolder("tinytrain-export-");
        var model = TestData.Path("tflite-micro", "person_detection", "person_detect.tflite");
        var (code, output, err) = Run("export", model, "--out", folder.File("pd.tflite"), "--json");
        Assert.True(code == 0, err);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("tflite", json.RootElement.GetProperty("format").GetString());
        Assert.Equal(new FileInfo(folder.File("pd.tflite")).Length, json.RootElement.GetProperty("bytes").GetInt64());
        Assert.Equal(0, json.RootElement.GetProperty("inexactInTflite").GetInt32());
        Assert.Equal(31, TfliteReader.Read(folder.File("pd.tflite")).Subgraphs[0].Operators.Count);
        Assert.Empty(Directory.GetFiles(folder.Path, "*.tmp")); // written through a temporary, which is gone

        (code, output, err) = Run("export", model, "--out", folder.File("pd.model"), "--format", "onnx");
        Assert.True(code == 0, err);
        Assert.Contains("onnx", output);
    }

    [Fact]
    public void A_checkpoint_exports_the_model_train_exported()
    {
        using var folder = new TemporaryFolder("tinytrain-export-");
        var common = new[] { "--data", "mnist", "--scheme", "paper:49kb" };
        var (code, _, err) = Run(["train", "mcunet-5fps", .. common, "--limit", "12", "--val", "2", "--out", folder.File("run.ckpt"), "--export", folder.File("a.tflite"), "--quiet"]);
        Assert.True(code == 0, err);
        (code, _, err) = Run(["export", "mcunet-5fps", .. common, "--checkpoint", folder.File("run.ckpt"), "--out", folder.File("b.tflite")]);
        Assert.True(code == 0, err);
        Assert.Equal(File.ReadAllBytes(folder.File("a.tflite")), File.ReadAllBytes(folder.File("b.tflite")));

        // The same checkpoint read with another scheme is refused, naming the options to pass.
        (code, _, err) = Run("export", "mcunet-5fps", "--data", "mnist", "--scheme", "paper:99kb", "--checkpoint", folder.File("run.ckpt"), "--out", folder.File("c.onnx"));
        Assert.Equal(1, code);
        Assert.Contains("--scheme", err);
        Assert.False(File.Exists(folder.File("c.onnx")));
    }

    [Theory]
    [InlineData("export|mcunet-5fps|--out|{0}/m.bin", "--format")]
    [InlineData("export|mcunet-5fps|--out|{0}/m.onnx|--classes|10", "--checkpoint")]
    [InlineData("export|mcunet-5fps|--out|{0}/m.onnx|--checkpoint|{0}/missing.ckpt|--classes|10", "missing.ckpt")]
    [InlineData("export|mcunet-5fps|--out|{0}/m.onnx|--checkpoint|{0}/m.bin", "--data")]
    [InlineData("train|mcunet-5fps|--data|mnist|--head|fp32|--limit|12|--val|2|--export|{0}/m.tflite", "--head int8")]
    [InlineData("train|mcunet-5fps|--data|mnist|--limit|12|--val|2|--export|{0}/m.txt", "--format")]
    public void Bad_export_input_is_one_line_naming_the_problem(string args, string expected)
    {
        using var folder = new TemporaryFolder("tinytrain-export-");
        File.WriteAllText(folder.File("m.bin"), "not a checkpoint");
        var (code, _, err) = Run(string.Format(args, folder.Path).Split('|'));
        Assert.Equal(1, code);
        Assert.StartsWith("tinytrain: ", err);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.Contains(expected, err);
    }
}
