using TinyTrain.Ir;

namespace TinyTrain.Compiler.Lowered;

/// <summary>Where a program tensor lives: in the planned arena (SRAM) or as constant data (flash).</summary>
public enum TensorPlacement
{
    Arena,
    Constant,

    /// <summary>In the arena for the whole step and across steps: trained parameters and optimiser state, initialised from Data.</summary>
    Persistent,
}

/// <summary>
/// One tensor of a lowered program. Arena tensors have an <see cref="Offset"/> into the single planned
/// arena and a lifetime in call indices; constants carry their bytes.
/// </summary>
public sealed record ProgramTensor(
    int Id,
    string Name,
    DType DType,
    int Bytes,
    TensorPlacement Placement,
    int Offset,
    int FirstUse,
    int LastUse,
    TensorData? Data);
