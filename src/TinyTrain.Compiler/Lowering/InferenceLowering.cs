using TinyTrain.Compiler.Lowered;
using TinyTrain.Ir;

namespace TinyTrain.Compiler.Lowering;

/// <summary>
/// Lowers an int8 inference graph to a <see cref="Program"/> that runs one image at a time: constants stay in flash,
/// every activation (input and output included) lives in one planned arena.
/// </summary>
public static class InferenceLowering
{
    public static Program Lower(Graph graph)
    {
        foreach (var input in graph.Inputs)
        {
            if (input.Shape.Rank > 0 && input.Shape[0] != 1)
                throw new CompilationException($"input '{input.Name}' has batch {input.Shape[0]}; programs run one image at a time (batch 1)");
        }
        return ProgramLowering.Lower(graph);
    }
}
