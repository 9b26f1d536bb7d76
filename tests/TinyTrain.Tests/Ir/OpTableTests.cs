using System.Reflection;
using TinyTrain.Compiler.Lowering;
using TinyTrain.Ir;

namespace TinyTrain.Tests.Ir;

/// <summary>The op table is collected from each op's file, and the lowering table from each op's calls file.</summary>
public sealed class OpTableTests
{
    [Fact]
    public void Every_field_of_the_table_is_an_op_of_that_name_and_all_lists_each_once()
    {
        var fields = typeof(Ops).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => typeof(Op).IsAssignableFrom(f.FieldType)).ToList();
        Assert.True(fields.Count >= 28, $"only {fields.Count} ops registered");
        foreach (var field in fields)
        {
            var op = (Op)field.GetValue(null)!;
            Assert.Equal(field.Name, op.Name);
            Assert.Same(op, Ops.Find(op.Name));
        }
        Assert.Equal(fields.Count, Ops.All.Length);
        Assert.Equal(Ops.All.Length, Ops.All.Select(op => op.Name).Distinct().Count());
    }

    [Fact]
    public void Every_op_has_a_lowering()
    {
        var lowered = ProgramLowering.Lowered.ToHashSet();
        var missing = Ops.All.Where(op => !lowered.Contains(op)).Select(op => op.Name).ToList();
        Assert.Empty(missing);
    }
}
