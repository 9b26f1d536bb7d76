using TinyTrain.Compiler.Lowered;
using TinyTrain.Compiler.Schedule;
using TinyTrain.Ir;

namespace TinyTrain.Compiler.Lowering;

/// <summary>
/// Lowers an int8 inference graph to a <see cref="Program"/> that runs one image at a time: constants stay in flash,
/// every activation (input and output included) lives in one planned arena. A conv whose only reader is a depthwise
/// conv runs with it a few channel planes at a time (as in training), so the inference arena is the floor of every
/// training arena of the same model.
/// </summary>
public static class InferenceLowering
{
    /// <summary>The passes that apply to a graph without training ops.</summary>
    public static MemoryOptions Options { get; } = MemoryOptions.None with { FuseConvDepthwise = true };

    /// <param name="memory">The memory passes (default <see cref="Options"/>; <see cref="MemoryOptions.None"/> keeps every activation).</param>
    public static Program Lower(Graph graph, MemoryOptions? memory = null)
    {
        foreach (var input in graph.Inputs)
        {
            if (input.Shape.Rank > 0 && input.Shape[0] != 1)
                throw new CompilationException($"input '{input.Name}' has batch {input.Shape[0]}; programs run one image at a time (batch 1)");
        }
        return ProgramLowering.Lower(graph, options: memory ?? Options);
    }
}
