using System.CommandLine;
using TinyTrain.Data;
using TinyTrain.Formats;

namespace TinyTrain.Cli.Commands;

/// <summary>
/// --data, --limit and --val: the examples a run draws (the first --limit after the seeded shuffle) and how many of
/// them it holds out. The defaults are each command's: train draws all the data, search 900 examples a run, and the
/// demo 1,000, so that it takes minutes.
/// </summary>
public sealed class DataSplit : OptionGroup
{
    private readonly int minimumHeldOut;

    /// <param name="data">The data set without --data; null makes --data required.</param>
    /// <param name="limit">The examples drawn without --limit; null draws them all.</param>
    /// <param name="heldOut">The held-out examples without --val.</param>
    /// <param name="minimumHeldOut">The fewest a run may hold out: search and the demo score on them, train may hold out none.</param>
    public DataSplit(string? data, int? limit, int heldOut, int minimumHeldOut)
    {
        Data = CommonOptions.Data(data);
        Limit = new("--limit")
        {
            Description = "Use the first N examples after the seeded shuffle, --val of them held out",
            DefaultValueFactory = limit is null ? null : _ => limit,
        };
        Validation = new("--val") { DefaultValueFactory = _ => heldOut, Description = "Held-out examples for accuracy" };
        this.minimumHeldOut = minimumHeldOut;
    }

    public Option<string> Data { get; }

    public Option<int?> Limit { get; }

    public Option<int> Validation { get; }

    public override IEnumerable<Symbol> Symbols => [Data, Limit, Validation];

    /// <summary>The training part of the data set --data names (its test part is never read).</summary>
    public LabelledDataset Open(ParseResult parse) => DatasetCatalog.Open(parse.GetValue(Data)!, SharedData.TryFind()).Train;

    /// <summary>How many examples a run draws and how many of them it holds out; a --val that leaves none to train on is refused.</summary>
    public (int Drawn, int HeldOut) Sizes(ParseResult parse, LabelledDataset dataset)
    {
        var drawn = Math.Min(dataset.Count, parse.GetValue(Limit) ?? int.MaxValue);
        var heldOut = parse.GetValue(Validation);
        if (heldOut < minimumHeldOut || heldOut >= drawn)
            throw new UsageException($"--val {heldOut} leaves no training examples out of {drawn}; lower --val or raise --limit");
        return (drawn, heldOut);
    }

    /// <summary>The examples drawn with this seed, --val of them held out.</summary>
    public DataPlan Plan(ParseResult parse, LabelledDataset dataset, ulong seed)
    {
        var (drawn, heldOut) = Sizes(parse, dataset);
        return DataPlan.Create(dataset, seed, drawn, ValidationSplit.OfCount(heldOut));
    }
}
