using System.CommandLine;
using TinyTrain.Cli.Commands;

namespace TinyTrain.Cli;

public static class Program
{
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Entry point shared with tests: user errors print one line to stderr and exit non-zero.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("TinyTrain: train int8 neural networks on-device, within 256 KB of SRAM.");
        root.Subcommands.Add(InspectCommand.Create(stdout));
        root.Subcommands.Add(InferCommand.Create(stdout));
        root.Subcommands.Add(PlanCommand.Create(stdout));
        root.Subcommands.Add(TrainCommand.Create(stdout));
        root.Subcommands.Add(CodegenCommand.Create(stdout));
        root.Subcommands.Add(McuCommand.Create(stdout));
        root.Subcommands.Add(DemoCommand.Create(stdout));
        root.Subcommands.Add(ExportCommand.Create(stdout));
        root.Subcommands.Add(SearchCommand.Create(stdout));
        root.Subcommands.Add(BenchCommand.Create(stdout, stderr));
        try
        {
            var parse = root.Parse(args);
            return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (UserError.Describe(e) is { } message)
        {
            stderr.WriteLine($"tinytrain: {message}");
            return 1;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            stderr.WriteLine($"tinytrain: {UserError.Bug(e)}");
            return 70; // EX_SOFTWARE: an internal error
        }
    }
}
