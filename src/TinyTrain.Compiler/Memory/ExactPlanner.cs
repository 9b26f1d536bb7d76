namespace TinyTrain.Compiler.Memory;

/// <summary>
/// The smallest arena for a few buffers, by branch and bound over first-fit orders (any optimal plan is first-fit
/// in the order of its offsets). Exponential: it measures how far the heuristics are from optimal on small graphs.
/// </summary>
public static class ExactPlanner
{
    public const int MaxBuffers = 11;

    public static MemoryPlan Plan(IReadOnlyList<BufferRequest> requests)
    {
        if (requests.Count > MaxBuffers) throw new ArgumentException($"{requests.Count} buffers: the exact planner takes at most {MaxBuffers}");
        var best = ArenaPlanner.Plan(requests);
        var bound = ArenaPlanner.LowerBound(requests);
        var bestOrder = (int[]?)null;
        var bestBytes = best.ArenaBytes;
        var offsets = new int[requests.Count];
        var placed = new List<int>();
        var used = new bool[requests.Count];

        void Search(int top)
        {
            if (bestBytes == bound) return;
            if (placed.Count == requests.Count)
            {
                var bytes = GreedyBySizePlanner.Align(top);
                if (bytes < bestBytes) (bestBytes, bestOrder) = (bytes, [.. placed]);
                return;
            }
            for (var i = 0; i < requests.Count; i++)
            {
                if (used[i]) continue;
                offsets[i] = FirstFit.Place(requests, offsets, placed, requests[i]);
                var newTop = Math.Max(top, offsets[i] + requests[i].Bytes);
                if (GreedyBySizePlanner.Align(newTop) >= bestBytes) continue;
                used[i] = true;
                placed.Add(i);
                Search(newTop);
                placed.RemoveAt(placed.Count - 1);
                used[i] = false;
            }
        }

        Search(0);
        return bestOrder is null ? best : FirstFit.Plan(requests, bestOrder, "exact");
    }
}
