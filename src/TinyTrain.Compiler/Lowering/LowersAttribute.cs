namespace TinyTrain.Compiler.Lowering;

/// <summary>
/// Marks a static method <c>void (ProgramLowering lowering, Node node)</c> as how the named op (an <c>Ops</c> field name)
/// becomes calls, a view or state. Each op's calls file declares its lowering next to its calls and parameters;
/// <see cref="ProgramLowering"/> collects them into its table, so adding an op touches no shared list.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
internal sealed class LowersAttribute(string op) : Attribute
{
    public string Op { get; } = op;
}
