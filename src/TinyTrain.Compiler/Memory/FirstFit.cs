namespace TinyTrain.Compiler.Memory;

/// <summary>
/// Places buffers one at a time, in a given order, each at the lowest aligned offset where it collides with no
/// placed buffer live at the same time. Any optimal plan is first-fit in some order (sort it by offset), so the
/// order is the whole search space.
/// </summary>
public static class FirstFit
{
    public static MemoryPlan Plan(IReadOnlyList<BufferRequest> requests, IReadOnlyList<int> order, string strategy)
    {
        var offsets = new int[requests.Count];
        var placed = new List<int>(requests.Count);
        var arena = 0;
        foreach (var i in order)
        {
            offsets[i] = Place(requests, offsets, placed, requests[i]);
            placed.Add(i);
            arena = Math.Max(arena, offsets[i] + requests[i].Bytes);
        }
        var plan = new MemoryPlan([.. requests], [.. offsets], GreedyBySizePlanner.Align(arena), strategy);
        if (plan.Overlaps().Any()) throw new InvalidOperationException("memory planner produced overlapping buffers");
        return plan;
    }

    /// <summary>The lowest aligned offset at which <paramref name="request"/> fits among the placed buffers.</summary>
    internal static int Place(IReadOnlyList<BufferRequest> requests, int[] offsets, List<int> placed, BufferRequest request)
    {
        var conflicts = new List<(int Start, int End)>();
        foreach (var p in placed)
        {
            if (requests[p].Bytes > 0 && requests[p].LivesWith(request)) conflicts.Add((offsets[p], offsets[p] + requests[p].Bytes));
        }
        conflicts.Sort();
        var candidate = 0;
        foreach (var (start, end) in conflicts)
        {
            if (candidate + request.Bytes <= start) break;
            candidate = Math.Max(candidate, GreedyBySizePlanner.Align(end));
        }
        return candidate;
    }
}
