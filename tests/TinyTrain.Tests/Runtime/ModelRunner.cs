using TinyTrain.Compiler.Lowered;
using TinyTrain.Compiler.Lowering;
using TinyTrain.Compiler.Schedule;
using TinyTrain.Data;
using TinyTrain.Formats;
using TinyTrain.Ir;
using TinyTrain.Runtime;

namespace TinyTrain.Tests.Runtime;

/// <summary>Loads, lowers (every activation kept) and runs models for tests; caches lowered programs (they are immutable).</summary>
public static class ModelRunner
{
    private static readonly Dictionary<string, (Graph Graph, Program Program)> Cache = [];

    public static (Graph Graph, Program Program) Load(string path)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(path, out var entry))
            {
                var graph = ModelLoader.Load(path);
                // Every activation kept (no conv + depthwise fusion): the tests compare layer by layer.
                Cache[path] = entry = (graph, InferenceLowering.Lower(graph, MemoryOptions.None));
            }
            return entry;
        }
    }

    /// <summary>Runs once and returns every arena tensor written, by call name.</summary>
    public static Dictionary<string, sbyte[]> RunAll(Program program, sbyte[] input, KernelVariant variant) =>
        RunAllById(program, input, variant).Where(kv => program.Calls.Any(c => c.Writes.Contains(kv.Key)))
            .ToDictionary(kv => program.Calls.First(c => c.Writes.Contains(kv.Key)).Name, kv => kv.Value);

    /// <summary>Runs once and returns the model input and every tensor written, by tensor id, as it was right after its call.</summary>
    public static Dictionary<int, sbyte[]> RunAllById(Program program, sbyte[] input, KernelVariant variant)
    {
        var executor = new Executor(program, variant);
        input.CopyTo(executor.Input);
        var tensors = new Dictionary<int, sbyte[]> { [program.Input.Id] = [.. input] };
        executor.Run((_, call) =>
        {
            var id = call.Writes.Single();
            tensors[id] = [.. executor.TensorBytes(id).ToArray().Select(b => (sbyte)b)];
        });
        return tensors;
    }

    public static sbyte[] Image(string path, Shape inputShape, PixelEncoding encoding)
    {
        var tensor = new sbyte[inputShape.Elements];
        InputEncoder.Encode(ImageFile.Load(path), inputShape[1], inputShape[2], inputShape[3], encoding, tensor);
        return tensor;
    }
}
