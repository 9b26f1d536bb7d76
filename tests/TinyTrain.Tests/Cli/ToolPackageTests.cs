using TinyTrain.Tests.CodeGen;

namespace TinyTrain.Tests.Cli;

/// <summary>The CLI packs as a dotnet tool, installs from the local package and runs.</summary>
public sealed class ToolPackageTests
{
    [Fact]
    public void The_cli_packs_installs_and_runs_as_a_dotnet_tool()
    {
        using var folder = new TemporaryFolder("tinytrain-tool-");
        var root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));
        var project = Path.Combine(root, "src", "TinyTrain.Cli", "TinyTrain.Cli.csproj");
        var (pack, packOutput) = CToolchain.Run("dotnet", ["pack", project, "-c", "Release", "--no-build", "-o", folder.File("pkg"), "-nologo"], root);
        Assert.True(pack == 0, packOutput);
        var (install, installOutput) = CToolchain.Run("dotnet",
            ["tool", "install", "TinyTrain.Cli", "--tool-path", folder.File("tool"), "--add-source", folder.File("pkg")], folder.Path);
        Assert.True(install == 0, installOutput);
        // Run from the repository, as a user would: the shared data is found next to it.
        var (run, output) = CToolchain.Run(folder.File("tool", "tinytrain"), ["inspect", "mcunet-5fps"], root);
        Assert.True(run == 0, output);
        Assert.Contains("22.6 M MACs", output);
    }
}
