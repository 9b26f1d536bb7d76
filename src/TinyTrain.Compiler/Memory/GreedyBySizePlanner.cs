namespace TinyTrain.Compiler.Memory;

/// <summary>
/// TFLite Micro's strategy: place buffers largest first, each at the lowest offset where it does not collide
/// with an already placed buffer that is live at the same time. Ties break on first use, then id, so the
/// plan is deterministic.
/// </summary>
public static class GreedyBySizePlanner
{
    public const int Alignment = 8;

    public static MemoryPlan Plan(IReadOnlyList<BufferRequest> requests) =>
        FirstFit.Plan(requests, PlacementOrder.BySize(requests), "greedy by size");

    public static int Align(int value) => (value + Alignment - 1) / Alignment * Alignment;
}
