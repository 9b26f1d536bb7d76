using System.CommandLine;
using Spectre.Console;
using TinyTrain.Compiler.Lowering;
using TinyTrain.Data;
using TinyTrain.Ir;
using TinyTrain.Runtime;

namespace TinyTrain.Cli.Commands;

/// <summary>`tinytrain infer MODEL --input FILE`: one int8 inference, raw output values and the top class.</summary>
public static class InferCommand
{
    public static Command Create(TextWriter stdout)
    {
        var source = new ModelSource();
        var json = CommonOptions.Json();
        var input = new Option<string>("--input", "-i") { Description = "BMP/PNG image, IDX images file (with --index) or raw .bin of the input tensor", Required = true };
        var index = new Option<int?>("--index") { Description = "Image index in an IDX file" };
        var pixels = new Option<PixelEncoding?>("--pixels")
        {
            Description = "Image pixels to input bytes: Offset (pixel - 128) or Raw (the byte as is, e.g. already int8). "
                + "Default: as the model's input asks, pixel - 128 for int8 and the pixel for uint8 (0..255 spans its quantised range)",
        };
        var reference = new Option<bool>("--reference") { Description = "Use the plain reference kernels instead of the SIMD ones" };
        var command = new Command("infer", "Run one int8 inference") { source, input, index, pixels, reference, json };
        command.SetAction(parse =>
        {
            var graph = source.Load(parse);
            var program = InferenceLowering.Lower(graph);
            var tensor = InputTensor.Load(parse.GetValue(input)!, parse.GetValue(index), parse.GetValue(pixels), graph.Input.Type);
            var output = new sbyte[program.Output.Bytes];
            new Executor(program, parse.GetValue(reference) ? KernelVariant.Reference : KernelVariant.Auto).Run(tensor, output);
            var result = Result.From(output, graph.Output.Quant);
            if (parse.GetValue(json)) Json.Write(stdout, result);
            else Print(stdout, result);
            return 0;
        });
        return command;
    }

    public sealed record Result(int[] Output, int Top, double[]? Dequantized)
    {
        public static Result From(sbyte[] output, QuantParams? quant)
        {
            var top = 0;
            for (var i = 1; i < output.Length; i++) if (output[i] > output[top]) top = i;
            var dequantized = quant is null ? null : output.Select(v => quant.Scale * (v - quant.ZeroPoint)).ToArray();
            return new Result([.. output.Select(v => (int)v)], top, dequantized);
        }
    }

    private static void Print(TextWriter stdout, Result result)
    {
        var console = InspectCommand.Console(stdout);
        var table = new Table().Border(TableBorder.Rounded).AddColumns("rank", "class", "int8", "value");
        var ranked = Enumerable.Range(0, result.Output.Length).OrderByDescending(i => result.Output[i]).ThenBy(i => i).Take(5);
        var rank = 1;
        foreach (var i in ranked)
        {
            table.AddRow((rank++).ToString(), i.ToString(), result.Output[i].ToString(), result.Dequantized is null ? "" : result.Dequantized[i].ToString("G4"));
        }
        console.Write(table);
        console.MarkupLine($"top class: [bold]{result.Top}[/]");
    }
}
