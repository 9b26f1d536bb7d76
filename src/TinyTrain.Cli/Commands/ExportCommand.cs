using System.CommandLine;
using TinyTrain.Compiler;
using TinyTrain.Compiler.Autodiff;
using TinyTrain.Data;
using TinyTrain.Formats;
using TinyTrain.Runtime.Training;

namespace TinyTrain.Cli.Commands;

/// <summary>
/// `tinytrain export MODEL --out FILE [--checkpoint run.ckpt --data D --scheme S ...]`: writes a model, or the model a
/// `train --out` checkpoint holds, as int8 .tflite or ONNX. The checkpoint's program is rebuilt from the same
/// options `train` took (scheme, classes, optimizer, policy, head); a mismatch is refused by the checkpoint itself.
/// </summary>
public static class ExportCommand
{
    public static Command Create(TextWriter stdout)
    {
        var source = new ModelSource();
        var json = CommonOptions.Json();
        var output = new Option<string>("--out", "-o") { Description = "The file to write (.tflite or .onnx; written atomically)", Required = true };
        var format = new Option<string?>("--format", "-f") { Description = "tflite or onnx (default: from the --out extension)" };
        format.AcceptOnlyFromAmong(ModelExport.Formats);
        var checkpoint = new Option<string?>("--checkpoint") { Description = "A checkpoint written by `train --out`: export the fine-tuned model it holds" };
        var data = new Option<string?>("--data", "-d") { Description = "The dataset the checkpoint was trained on (for its number of classes)" };
        var classes = new Option<int?>("--classes") { Description = "Number of classes of the checkpoint's head (instead of --data)" };
        var scheme = CommonOptions.Scheme("last:6");
        var update = new UpdateRule();
        var head = new Option<string>("--head") { DefaultValueFactory = _ => "int8", Description = "The checkpoint's head: int8 (an fp32 head cannot be exported)" };
        head.AcceptOnlyFromAmong("int8", "fp32");
        var command = new Command("export", "Write a model or a fine-tuned checkpoint as int8 .tflite or ONNX")
        {
            source, output, format, checkpoint, data, classes, scheme, update, head, json,
        };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(output)!;
            var chosen = ModelExport.FormatOf(path, parse.GetValue(format));
            var graph = source.Load(parse);
            if (parse.GetValue(checkpoint) is { } ckpt)
            {
                if (!File.Exists(ckpt)) throw new FileNotFoundException($"checkpoint '{ckpt}' not found");
                var count = parse.GetValue(classes)
                    ?? (parse.GetValue(data) is { } d ? DatasetCatalog.Open(d, SharedData.TryFind()).Train.Classes
                        : throw new UsageException("--checkpoint needs the number of classes: pass --data (as given to train) or --classes"));
                // The head is rebuilt for the features it was trained on: their rms is in the checkpoint.
                var options = new TrainingOptions(count, parse.GetValue(head) == "fp32" ? HeadKind.Float : HeadKind.Int8, Policy: update.PolicyOf(parse))
                {
                    FeatureRms = Checkpoint.ReadFeatureRms(ckpt),
                };
                var compiled = Compilation.CompileTraining(graph, parse.GetValue(scheme)!, options, update.Momentum(parse));
                try
                {
                    graph = TrainedModel.FromCheckpoint(compiled, ckpt);
                }
                catch (CheckpointException e)
                {
                    throw new UsageException($"{e.Message} (pass the --scheme, --data, --optimizer and --policy it was trained with)");
                }
            }
            else if (parse.GetValue(data) is not null || parse.GetValue(classes) is not null)
            {
                throw new UsageException("--data and --classes describe a checkpoint; pass --checkpoint too");
            }
            var result = ModelExport.Write(graph, path, chosen);
            if (parse.GetValue(json)) Json.Write(stdout, result);
            else stdout.WriteLine(ModelExport.Describe(result));
            return 0;
        });
        return command;
    }
}
