using System.Collections.Immutable;
using System.Text;
using TinyTrain.Compiler.Lowered;
using TinyTrain.Ir;
using TinyTrain.Kernels;
using static TinyTrain.CodeGen.Emitter.CLiteral;

namespace TinyTrain.CodeGen.Emitter;

/// <summary>
/// One lowered call as C statements: the runtime function tinytrain.h names for it, on the tensors' C names. The
/// statements mirror <c>Executor.Invoke</c> case for case, so the C computes what the host computes.
/// </summary>
internal sealed class CallWriter(Program program, Func<int, string> tensor, ParamsWriter parameters)
{
    public string Write(int index, KernelCall call)
    {
        var p = $"p{index}";
        string T(int id) => id < 0 ? "NULL" : tensor(id);
        int Floats(int id) => program.Tensors[id].Bytes / 4;
        bool IsFloat(int id) => program.Tensors[id].DType == DType.Float32;
        string Suffix(int mask) => mask >= 0 ? "_with_mask" : "";
        string Mask(int mask) => mask >= 0 ? ", " + T(mask) : "";
        string Channels(ImmutableArray<int> channels) => parameters.IntArray(channels, $"{p}_channels");

        return call switch
        {
            Conv2DCall c => $"tt_conv2d_forward{Suffix(c.Mask)}(&{parameters.Of(c.Params, p)}, {T(c.Input)}, {T(c.Filter)}, {T(c.Bias)}, {T(c.Output)}{Mask(c.Mask)});",
            DepthwiseConv2DCall c => $"tt_depthwise_conv2d_forward{Suffix(c.Mask)}(&{parameters.Of(c.Params, p)}, {T(c.Input)}, {T(c.Filter)}, {T(c.Bias)}, {T(c.Output)}{Mask(c.Mask)});",
            FullyConnectedCall c => $"tt_fully_connected_forward{Suffix(c.Mask)}(&{parameters.Of(c.Params, p)}, {T(c.Input)}, {T(c.Filter)}, {T(c.Bias)}, {T(c.Output)}{Mask(c.Mask)});",
            ConvDepthwiseCall c => $"tt_conv_depthwise_forward(&{parameters.Of(c.Conv, p + "_conv")}, &{parameters.Of(c.Depthwise, p + "_depthwise")}, {T(c.Input)}, {T(c.ConvFilter)}, {T(c.ConvBias)}, {T(c.DepthwiseFilter)}, {T(c.DepthwiseBias)}, {T(c.Planes)}, {T(c.Output)});",
            AddCall c => $"tt_add_forward{Suffix(c.Mask)}(&{parameters.Of(c.Params, p)}, {T(c.A)}, {T(c.B)}, {T(c.Output)}{Mask(c.Mask)});",
            AveragePool2DCall c => $"tt_average_pool2d_forward(&{parameters.Of(c.Params, p)}, {T(c.Input)}, {T(c.Output)});",
            MeanCall c => $"tt_mean_forward(&{parameters.Of(c.Params, p)}, {T(c.Input)}, {T(c.Output)});",
            SoftmaxCall c => $"tt_softmax_forward(&{parameters.Of(c.Params, p)}, {T(c.Input)}, {T(c.Output)});",
            PadCall c => $"tt_pad_forward(&{parameters.Of(c.Params, p)}, {T(c.Input)}, {T(c.Output)});",
            FloatConvCall c => $"tt_{OpName(c.Params)}_forward_float{Suffix(c.Mask)}(&{parameters.Of(c.Params, p)}, {T(c.Input)}, {T(c.Filter)}, {T(c.Bias)}, {T(c.Output)}, {Float(c.Min)}, {Float(c.Max)}{Mask(c.Mask)});",
            FloatAddCall c => $"tt_add_forward_float{Suffix(c.Mask)}({T(c.A)}, {T(c.B)}, {T(c.Output)}, {Floats(c.Output)}, {Float(c.Min)}, {Float(c.Max)}{Mask(c.Mask)});",
            FloatAveragePool2DCall c => $"tt_average_pool2d_forward_float(&{parameters.Of(c.Params, p)}, {T(c.Input)}, {T(c.Output)});",
            DequantizeCall c => $"tt_softmax_cross_entropy_dequantize({T(c.Input)}, {program.Tensors[c.Input].Bytes}, {Float(c.Scale)}, {Int(c.ZeroPoint)}, {T(c.Output)});",
            SoftmaxCrossEntropyCall c => $"{T(c.Loss)}[0] = tt_softmax_cross_entropy_forward({T(c.Logits)}, {Floats(c.Logits)}, {T(c.Label)}[0], {T(c.Grad)});",
            RequantGradCall c when c.Mask >= 0 => $"tt_requant_accumulator_grad({T(c.Gradient)}, {T(c.Mask)}, {parameters.FloatArray(c.Scales, p + "_scales")}, {c.Scales.Length}, {c.Channels}, {Floats(c.Output)}, {T(c.Output)});",
            RequantGradCall c => $"tt_requant_scale_grad({T(c.Gradient)}, {parameters.FloatArray(c.Scales, p + "_scales")}, {c.Scales.Length}, {c.Channels}, {Floats(c.Output)}, {T(c.Output)});",
            Conv2DInputGradCall c => $"tt_conv2d_input_grad{(IsFloat(c.Filter) ? "_float" : "")}(&{parameters.Of(c.Params, p)}, {T(c.Gradient)}, {T(c.Filter)}, {T(c.Output)});",
            DepthwiseConv2DInputGradCall c => $"tt_depthwise_conv2d_input_grad{(IsFloat(c.Filter) ? "_float" : "")}(&{parameters.Of(c.Params, p)}, {T(c.Gradient)}, {T(c.Filter)}, {T(c.Output)});",
            FullyConnectedInputGradCall c => $"tt_fully_connected_input_grad{(IsFloat(c.Filter) ? "_float" : "")}(&{parameters.Of(c.Params, p)}, {T(c.Gradient)}, {T(c.Filter)}, {T(c.Output)});",
            Conv2DFilterGradCall c => $"tt_conv2d_filter_grad{(IsFloat(c.Input) ? "_float" : "")}(&{parameters.Of(c.Params, p)}, {T(c.Input)}, {T(c.Gradient)}, {Channels(c.Channels)}, {c.Channels.Length}, {T(c.Output)});",
            DepthwiseConv2DFilterGradCall c => $"tt_depthwise_conv2d_filter_grad{(IsFloat(c.Input) ? "_float" : "")}(&{parameters.Of(c.Params, p)}, {T(c.Input)}, {T(c.Gradient)}, {Channels(c.Channels)}, {c.Channels.Length}, {T(c.Output)});",
            FullyConnectedFilterGradCall c => $"tt_fully_connected_filter_grad{(IsFloat(c.Input) ? "_float" : "")}(&{parameters.Of(c.Params, p)}, {T(c.Input)}, {T(c.Gradient)}, {Channels(c.Channels)}, {c.Channels.Length}, {T(c.Output)});",
            BiasGradCall c => $"tt_bias_grad({T(c.Gradient)}, {Floats(c.Gradient)}, {c.Channels}, {T(c.Output)});",
            AveragePool2DGradCall c => $"tt_average_pool2d_backward(&{parameters.Of(c.Params, p)}, {T(c.Gradient)}, {T(c.Output)});",
            GradAddCall c => $"tt_elementwise_add({T(c.A)}, {T(c.B)}, {T(c.Output)}, {Floats(c.Output)});",
            SliceMergeCall c => SliceMerge(c, Channels(c.Channels)),
            SgdUpdateCall c => Update(c, p, T(c.Gradient), Floats(c.Gradient).ToString(), "0", "0", "0"),
            FusedUpdateCall c => Fused(c, p),
            _ => throw new InvalidOperationException($"the C emitter has no function for {call.GetType().Name} ({call.Name})"),
        };

        string SliceMerge(SliceMergeCall c, string channels)
        {
            var k = c.Channels.Length;
            var rows = program.Tensors[c.Trained].Bytes / k;
            return $"tt_slice_merge({T(c.Frozen)}, {T(c.Trained)}, {channels}, {k}, {rows}, {program.Tensors[c.Frozen].Bytes / rows}, {T(c.Output)});";
        }

        // A filter gradient a block of output channels at a time, each block applied at once (Executor.FusedUpdate).
        string Fused(FusedUpdateCall c, string name)
        {
            var u = c.Update;
            var parameter = program.Tensors[u.Parameter];
            var paramsPerOutput = parameter.Bytes / parameter.DType.SizeInBytes() / c.Outputs;
            var (kernel, input, gradient, channels, @params) = c.Gradient switch
            {
                Conv2DFilterGradCall g => ("tt_conv2d_filter_grad_window", g.Input, g.Gradient, g.Channels, (object)g.Params),
                FullyConnectedFilterGradCall g => ("tt_fully_connected_filter_grad_window", g.Input, g.Gradient, g.Channels, g.Params),
                _ => throw new InvalidOperationException($"{c.Name}: cannot fuse an update into {c.Gradient.GetType().Name}"),
            };
            if (IsFloat(input)) kernel += "_float";
            var block = new StringBuilder();
            block.Append($"{{\n        int32_t first;\n        for (first = 0; first < {c.Outputs}; first += {c.Block}) {{\n");
            block.Append($"            int32_t outputs = {c.Outputs} - first < {c.Block} ? {c.Outputs} - first : {c.Block};\n");
            block.Append($"            {kernel}(&{parameters.Of(@params, name)}, {T(input)}, {T(gradient)}, {Channels(channels)}, {channels.Length}, first, outputs, {T(u.Gradient)});\n");
            block.Append("            ").Append(Update(u, name, T(u.Gradient), $"outputs * {c.PerOutput}", $"first * {paramsPerOutput}", "first", $"first * {c.PerOutput}")
                .Replace("\n", "\n            ", StringComparison.Ordinal)).Append('\n');
            block.Append("        }\n    }");
            return block.ToString();
        }
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
        var velocity = c.Momentum < 0 ? "NULL" : $"{tensor(c.Momentum)} + {gradStart}";
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

    private static string OpName(object parameters) => parameters switch
    {
        Conv2DParams => "conv2d",
        DepthwiseConv2DParams => "depthwise_conv2d",
        FullyConnectedParams => "fully_connected",
        _ => throw new InvalidOperationException($"no fp32 kernel for {parameters.GetType().Name}"),
    };
}
