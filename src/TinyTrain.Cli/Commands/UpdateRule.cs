using System.CommandLine;
using TinyTrain.Ir;

namespace TinyTrain.Cli.Commands;

/// <summary>
/// --optimizer and --policy: how a training step updates what it trains. The compiled step, and so the layout of a
/// checkpoint, depends on both: every command that compiles a step takes them.
/// </summary>
public sealed class UpdateRule : OptionGroup
{
    public Option<string> Optimizer { get; } =
        new Option<string>("--optimizer") { DefaultValueFactory = _ => "sgd", Description = "sgd or sgd-m (momentum 0.9)" }.AcceptOnlyFromAmong("sgd", "sgd-m");

    public Option<string> Policy { get; } =
        new Option<string>("--policy") { DefaultValueFactory = _ => "device", Description = "device (in-place int8) or master (fp32 master copies)" }
            .AcceptOnlyFromAmong("device", "master");

    public override IEnumerable<Symbol> Symbols => [Optimizer, Policy];

    public float Momentum(ParseResult parse) => parse.GetValue(Optimizer) == "sgd-m" ? 0.9f : 0f;

    public UpdatePolicy PolicyOf(ParseResult parse) => parse.GetValue(Policy) == "master" ? UpdatePolicy.Master : UpdatePolicy.Device;
}
