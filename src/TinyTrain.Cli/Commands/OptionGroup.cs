using System.CommandLine;

namespace TinyTrain.Cli.Commands;

/// <summary>
/// Options that go together, each defined once, with what their values mean. A command lists a group among its options
/// (<c>new Command("train") { model, split, json }</c>), which adds the group's arguments and options in their order.
/// </summary>
public abstract class OptionGroup
{
    public abstract IEnumerable<Symbol> Symbols { get; }
}

/// <summary>The <c>Add</c> that lets a command's collection initializer take an option group.</summary>
public static class OptionGroupExtensions
{
    public static void Add(this Command command, OptionGroup group)
    {
        foreach (var symbol in group.Symbols)
        {
            if (symbol is Argument argument) command.Arguments.Add(argument);
            else command.Options.Add((Option)symbol);
        }
    }
}
