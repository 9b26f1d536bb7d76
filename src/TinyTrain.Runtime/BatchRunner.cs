using TinyTrain.Compiler.Lowered;

namespace TinyTrain.Runtime;

/// <summary>Batch inference: the images are split across cores, each worker with its own executor and arena.</summary>
public static class BatchRunner
{
    public static sbyte[][] Run(Program program, IReadOnlyList<sbyte[]> inputs, int threads = 0, KernelVariant variant = KernelVariant.Auto)
    {
        var outputs = new sbyte[inputs.Count][];
        var workers = Math.Max(1, Math.Min(threads > 0 ? threads : Environment.ProcessorCount, inputs.Count));
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, worker =>
        {
            var executor = new Executor(program, variant);
            for (var i = worker; i < inputs.Count; i += workers)
            {
                outputs[i] = new sbyte[program.Output.Bytes];
                executor.Run(inputs[i], outputs[i]);
            }
        });
        return outputs;
    }
}
