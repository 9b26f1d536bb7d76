namespace TinyTrain.Compiler.Schedule;

/// <summary>
/// The memory passes of a training step (design §4, paper §3.5). Each can be switched off so the paper's memory
/// ladder (full update, sparse update, sparse update + reordering) can be reproduced with one planner.
/// </summary>
/// <param name="Reorder">Run each parameter's gradient and update as soon as they can run (operator reordering).</param>
/// <param name="FuseUpdates">Apply a filter's update inside the kernel that makes its gradient, a block of output
/// channels at a time, so the whole weight gradient never exists.</param>
/// <param name="InPlace">Let an elementwise backward op write over the operand it consumes last.</param>
/// <param name="SliceTrainedWeights">Keep only a filter's trained input channels in SRAM (the rest stay in flash and
/// are merged in for the calls that read the whole filter).</param>
/// <param name="FusedBlockBytes">The scratch a fused update's gradient block may take.</param>
public sealed record MemoryOptions(bool Reorder = true, bool FuseUpdates = true, bool InPlace = true, bool SliceTrainedWeights = true, int FusedBlockBytes = 2048,
    bool FuseConvDepthwise = true)
{
    public static MemoryOptions Default { get; } = new();

    /// <summary>The graph's plain topological order, every tensor its own buffer: the "without reordering" baseline.</summary>
    public static MemoryOptions None { get; } = new(Reorder: false, FuseUpdates: false, InPlace: false, SliceTrainedWeights: false, FuseConvDepthwise: false);
}
