using System.CommandLine;
using TinyTrain.Compiler.Autodiff;
using TinyTrain.Runtime.Training;

namespace TinyTrain.Cli.Commands;

/// <summary>
/// How a fine-tuning run goes (train's run, and each of search's contribution runs): its options, and what they make
/// of it, the compiled step's options, the momentum, the fp32 mode and the trainer's options.
/// </summary>
public sealed class FineTuning : OptionGroup
{
    public Option<int> Epochs { get; } = CommonOptions.Epochs();

    public Option<int> Batch { get; } = CommonOptions.Batch();

    public Option<float> LearningRate { get; } = CommonOptions.LearningRate();

    public Option<double> Warmup { get; } = new("--warmup") { DefaultValueFactory = _ => 0, Description = "Warm-up length in epochs" };

    public UpdateRule Update { get; } = new();

    public Option<string> Qas { get; } =
        new Option<string>("--qas") { DefaultValueFactory = _ => "on", Description = "Quantization-aware scaling: on or off" }.AcceptOnlyFromAmong("on", "off");

    public Option<string> Precision { get; } = CommonOptions.Precision();

    public Option<string?> Head { get; } =
        new Option<string?>("--head") { Description = "The new classifier: int8 (default; as on the device) or fp32 (default with --precision fp32)" }
            .AcceptOnlyFromAmong("int8", "fp32");

    public Option<ulong> Seed { get; } = new("--seed") { DefaultValueFactory = _ => 1, Description = "Seed of the shuffle and the augmentation (in search, also of the evolution)" };

    public Option<bool> Augment { get; } = new("--augment") { Description = "Random resized crops and flips while training" };

    public override IEnumerable<Symbol> Symbols => [Epochs, Batch, LearningRate, Warmup, .. Update.Symbols, Qas, Precision, Head, Seed, Augment];

    public bool Fp32(ParseResult parse) => parse.GetValue(Precision) == "fp32";

    public float Momentum(ParseResult parse) => Update.Momentum(parse);

    /// <summary>What the compiled step depends on. Without --head the head follows --precision.</summary>
    public TrainingOptions Training(ParseResult parse, int classes)
    {
        var head = parse.GetValue(Head) ?? (Fp32(parse) ? "fp32" : "int8");
        return new TrainingOptions(classes, head == "fp32" ? HeadKind.Float : HeadKind.Int8, parse.GetValue(Qas) == "on", Update.PolicyOf(parse));
    }

    public TrainerOptions Trainer(ParseResult parse) => new()
    {
        Epochs = parse.GetValue(Epochs), BatchSize = parse.GetValue(Batch), LearningRate = parse.GetValue(LearningRate),
        WarmupEpochs = parse.GetValue(Warmup), Seed = parse.GetValue(Seed), Augment = parse.GetValue(Augment),
    };
}
