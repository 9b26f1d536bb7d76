using static TinyTrain.Tests.Cli.CliRunner;

namespace TinyTrain.Tests.Cli;

public class TrainCliTests
{
    [Theory]
    [InlineData("--scheme", "paper:12kb", "paper:99kb")]        // unknown budget: the valid ones are listed
    [InlineData("--scheme", "sideways", "last:N")]               // unknown form: the accepted forms are listed
    [InlineData("--scheme", "last:999", "last:")]                // more layers than the model has
    [InlineData("--data", "/nonexistent/folder", "/nonexistent/folder")]
    public void Bad_training_input_is_one_line_naming_the_problem(string option, string value, string expected)
    {
        var args = new List<string> { "train", "mcunet-5fps", "--data", "fashion-mnist", "--limit", "20", "--val", "5", "--quiet" };
        var at = args.IndexOf(option);
        if (at >= 0) args[at + 1] = value;
        else args.AddRange([option, value]);
        var (code, _, err) = Run([.. args]);
        Assert.Equal(1, code);
        Assert.StartsWith("tinytrain: ", err);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.Contains(expected, err);
    }

    [Fact]
    public void A_held_out_split_as_large_as_the_data_is_refused_with_both_numbers()
    {
        var (code, _, err) = Run("train", "mcunet-5fps", "--data", "fashion-mnist", "--limit", "20", "--val", "500", "--quiet");
        Assert.Equal(1, code);
        Assert.Contains("--val 500", err);
        Assert.Contains("out of 20", err);
    }

    [Fact]
    public void A_scheme_file_naming_a_missing_layer_names_it()
    {
        using var folder = new TemporaryFolder("tinytrain-train-");
        var scheme = folder.File("mine.json");
        File.WriteAllText(scheme, """{"name": "mine", "biasLayers": 4, "weights": [{"layer": "blocks.99.pointwise1", "ratio": 0.5}]}""");
        var (code, _, err) = Run("train", "mcunet-5fps", "--data", "fashion-mnist", "--scheme", scheme, "--limit", "20", "--val", "5", "--quiet");
        Assert.Equal(1, code);
        Assert.Contains("blocks.99.pointwise1", err);
    }

    [Fact]
    public void Train_json_reports_accuracy_before_and_after_and_the_analytic_memory()
    {
        var json = Json("train", "mcunet-5fps", "--data", "mnist", "--scheme", "head-only", "--limit", "80", "--val", "20", "--json");
        foreach (var key in new[] { "accuracyBefore", "accuracyAfter", "epochs", "imagesPerSecond", "analyticExtraBytes" })
            Assert.True(json.TryGetProperty(key, out _), key);
        Assert.Equal(1, json.GetProperty("epochs").GetInt32());
        Assert.Equal(160, json.GetProperty("analyticExtraBytes").GetDouble()); // head-only: the head's 160 int8 inputs
    }
}
