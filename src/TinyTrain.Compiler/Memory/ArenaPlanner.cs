namespace TinyTrain.Compiler.Memory;

/// <summary>
/// The planner the compiler uses: first-fit in several orders (TFLite Micro's largest-first among them), keeping
/// the smallest arena; the earliest strategy wins a tie, so the plan is deterministic.
/// </summary>
public static class ArenaPlanner
{
    private static readonly (string Name, Func<IReadOnlyList<BufferRequest>, int[]> Order)[] Strategies =
    [
        ("greedy by size", PlacementOrder.BySize),
        ("greedy by size x lifetime", PlacementOrder.ByArea),
        ("greedy by lifetime", PlacementOrder.ByLifetime),
        ("greedy by first use", PlacementOrder.ByFirstUse),
    ];

    public static MemoryPlan Plan(IReadOnlyList<BufferRequest> requests)
    {
        MemoryPlan? best = null;
        foreach (var (name, order) in Strategies)
        {
            var plan = FirstFit.Plan(requests, order(requests), name);
            if (best is null || plan.ArenaBytes < best.ArenaBytes) best = plan;
        }
        return best!;
    }

    /// <summary>No plan can be smaller than the most bytes live at one step.</summary>
    public static int LowerBound(IReadOnlyList<BufferRequest> requests)
    {
        if (requests.Count == 0) return 0;
        var steps = requests.Max(r => r.LastUse) + 1;
        var live = new long[steps + 1];
        foreach (var r in requests)
        {
            if (r.Bytes == 0) continue;
            live[r.FirstUse] += r.Bytes;
            live[r.LastUse + 1] -= r.Bytes;
        }
        long running = 0, peak = 0;
        foreach (var delta in live) peak = Math.Max(peak, running += delta);
        return GreedyBySizePlanner.Align((int)peak);
    }
}
