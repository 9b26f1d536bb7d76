using TinyTrain.Compiler.Autodiff;
using TinyTrain.Compiler.Lowered;

namespace TinyTrain.Compiler.Lowering;

/// <summary>A lowered training step and the ids of the tensors a trainer reads and writes.</summary>
public sealed record TrainingProgram(Program Program, int Image, int Label, int Loss, int Logits)
{
    /// <summary>The trained parameters and optimiser state: what a checkpoint saves.</summary>
    public IEnumerable<ProgramTensor> State => Program.Tensors.Where(t => t.Placement == TensorPlacement.Persistent);
}

/// <summary>Lowers a differentiated training graph to one training step (forward, loss, backward, updates).</summary>
public static class TrainingLowering
{
    public static TrainingProgram Lower(Differentiator.Result training, float momentum = 0)
    {
        var program = ProgramLowering.Lower(training.Graph, momentum);
        var graph = training.Graph;
        int IdOf(int output) => program.Outputs[output];
        return new TrainingProgram(program, program.Inputs[graph.Inputs.IndexOf(graph.Inputs.Single(n => n.Type.DType == Ir.DType.Int8))],
            program.Inputs[graph.Inputs.IndexOf(graph.Inputs.Single(n => n.Type.DType == Ir.DType.Int32))], IdOf(0), IdOf(1));
    }
}
