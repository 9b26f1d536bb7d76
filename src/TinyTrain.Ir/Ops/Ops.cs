using System.Collections.Immutable;
using System.Reflection;

namespace TinyTrain.Ir;

/// <summary>
/// The op table: one instance of every op, which every stage reads (nodes compare ops by reference). Each op's file
/// registers its instances in this partial class, so adding an op touches no shared list.
/// </summary>
public static partial class Ops
{
    private static ImmutableArray<Op> all;

    /// <summary>Every registered op, by name (collected on first use: the fields' initialisation order across files is unspecified).</summary>
    public static ImmutableArray<Op> All => all.IsDefault ? all = Collect() : all;

    public static Op? Find(string name) => All.FirstOrDefault(op => op.Name == name);

    private static ImmutableArray<Op> Collect() =>
    [
        .. typeof(Ops).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsInitOnly && typeof(Op).IsAssignableFrom(f.FieldType))
            .Select(f => (Op)f.GetValue(null)!)
            .OrderBy(op => op.Name, StringComparer.Ordinal),
    ];
}
