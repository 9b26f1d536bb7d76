using System.Collections.Immutable;
using System.Text;
using TinyTrain.Compiler.Lowered;
using TinyTrain.Ir;
using TinyTrain.Kernels;
using static TinyTrain.CodeGen.Emitter.CLiteral;

namespace TinyTrain.CodeGen.Emitter;

/// <summary>
/// One lowered call as C statements: each call writes its own runtime function (<see cref="KernelCall.C"/>, beside its
/// host binding); this class gives it the tensors' C names, the const data of its parameters (named after the call's
/// index) and the optimiser steps, whose form depends on the program's state tensors.
/// </summary>
internal sealed class CallWriter(Program program, Func<int, string> tensor, ParamsWriter parameters) : ICallEmitter
{
    private string prefix = "";

    public string Write(int index, KernelCall call)
    {
        prefix = $"p{index}";
        return call.C(this);
    }

    public string Tensor(int id) => id < 0 ? "NULL" : tensor(id);

    public string Params(object values, string suffix = "") => "&" + parameters.Of(values, prefix + suffix);

    public string Ints(ImmutableArray<int> values, string suffix) => parameters.IntArray(values, prefix + suffix);

    public string Floats(ImmutableArray<float> values, string suffix) => parameters.FloatArray(values, prefix + suffix);

    public int FloatCount(int id) => program.Tensors[id].Bytes / 4;

    public int ByteCount(int id) => program.Tensors[id].Bytes;

    public string Update(SgdUpdateCall c) => Update(c, prefix, Tensor(c.Gradient), FloatCount(c.Gradient).ToString(), "0", "0", "0");

    /// <summary>A filter gradient a block of output channels at a time, each block applied at once (the executor's FusedUpdate).</summary>
    public string FusedUpdate(FusedUpdateCall c)
    {
        var (u, g, name) = (c.Update, c.Gradient, prefix);
        var parameter = program.Tensors[u.Parameter];
        var paramsPerOutput = parameter.Bytes / parameter.DType.SizeInBytes() / c.Outputs;
        var kernel = g.WindowFunction ?? throw new InvalidOperationException($"{c.Name}: cannot fuse an update into {g.GetType().Name}");
        var block = new StringBuilder();
        block.Append($"{{\n        int32_t first;\n        for (first = 0; first < {c.Outputs}; first += {c.Block}) {{\n");
        block.Append($"            int32_t outputs = {c.Outputs} - first < {c.Block} ? {c.Outputs} - first : {c.Block};\n");
        block.Append($"            {kernel}({Params(g.Parameters)}, {Tensor(g.Input)}, {Tensor(g.Gradient)}, {Ints(g.Channels, "_channels")}, {g.Channels.Length}, first, outputs, {Tensor(u.Gradient)});\n");
        block.Append("            ").Append(Update(u, name, Tensor(u.Gradient), $"outputs * {c.PerOutput}", $"first * {paramsPerOutput}", "first", $"first * {c.PerOutput}")
            .Replace("\n", "\n            ", StringComparison.Ordinal)).Append('\n');
        block.Append("        }\n    }");
        return block.ToString();
    }

    /// <summary>
    /// One SGD step of a parameter slice (or of a block of it): the parameter, master and QAS factors start at the given
    /// element offsets, the velocity at the gradient's (Executor.Update).
    /// </summary>
    private string Update(SgdUpdateCall c, string name, string gradient, string length, string parameterStart, string qasStart, string gradStart)
    {
        if (c.Qas.IsDefaultOrEmpty) throw new InvalidOperationException($"{c.Name}: an update without QAS factors");
        var qas = $"{parameters.FloatArray(c.Qas, name + "_qas")} + {qasStart}";
        var layout = $"{name}_layout";
        var channels = parameters.IntArray(c.Layout.Channels, name + "_layout_channels");
        var declaration = $"static const tt_slice_layout {layout} = {{ {c.Layout.Inner}, {channels}, {c.Layout.Channels.Length}, {c.Layout.QasStride} }};\n";
        parameters.Raw(declaration);
        var velocity = c.Velocity < 0 ? "NULL" : $"{tensor(c.Velocity)} + {gradStart}";
        var target = $"{tensor(c.Parameter)} + {parameterStart}";
        var type = program.Tensors[c.Parameter].DType;
        if (c.Master >= 0)
        {
            var master = $"{tensor(c.Master)} + {parameterStart}";
            var round = type == DType.Int8 ? "tt_sgd_slice_round_to_int8" : "tt_sgd_slice_round_to_int32";
            return $"tt_sgd_slice_update_master({master}, {gradient}, {length}, {qas}, &{layout}, learning_rate, {velocity}, MODEL_MOMENTUM);\n" +
                   $"{round}({master}, {target}, &{layout}, {length});";
        }
        var function = type switch
        {
            DType.Int8 => "tt_sgd_slice_update_int8",
            DType.Int32 => "tt_sgd_slice_update_int32",
            _ => "tt_sgd_slice_update_float",
        };
        return $"{function}({target}, {gradient}, {length}, {qas}, &{layout}, learning_rate, {velocity}, MODEL_MOMENTUM);";
    }
}
