using TinyTrain.Compiler.Lowered;
using TinyTrain.Compiler.Schedule;
using TinyTrain.Ir;

namespace TinyTrain.Compiler.Lowering;

/// <summary>
/// Lowers an int8 inference graph to a <see cref="Program"/> that runs one image at a time: constants stay in flash,
/// every activation (input and output included) lives in one planned arena. With <see cref="Device"/> a conv whose only
/// reader is a depthwise conv runs with it a few channel planes at a time (as training programs do), which is what a
/// microcontroller runs and the floor of every training arena of the model; the host default keeps every activation,
/// as the two SIMD kernels are faster than the fused one (docs/BENCHMARKS.md, issue 8).
/// </summary>
public static class InferenceLowering
{
    /// <summary>The device plan: the smallest arena (conv + depthwise fused).</summary>
    public static MemoryOptions Device { get; } = MemoryOptions.None with { FuseConvDepthwise = true };

    /// <param name="memory">The memory passes: <see cref="MemoryOptions.None"/> by default (every activation kept, fastest on a PC), <see cref="Device"/> for a microcontroller's arena.</param>
    public static Program Lower(Graph graph, MemoryOptions? memory = null)
    {
        foreach (var input in graph.Inputs)
        {
            if (input.Shape.Rank > 0 && input.Shape[0] != 1)
                throw new CompilationException($"input '{input.Name}' has batch {input.Shape[0]}; programs run one image at a time (batch 1)");
        }
        return ProgramLowering.Lower(graph, options: memory ?? MemoryOptions.None);
    }
}
