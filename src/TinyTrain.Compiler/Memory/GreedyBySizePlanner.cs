using System.Collections.Immutable;

namespace TinyTrain.Compiler.Memory;

/// <summary>
/// TFLite Micro's strategy: place buffers largest first, each at the lowest offset where it does not collide
/// with an already placed buffer that is live at the same time. Ties break on first use, then id, so the
/// plan is deterministic.
/// </summary>
public static class GreedyBySizePlanner
{
    public const int Alignment = 8;

    public static MemoryPlan Plan(IReadOnlyList<BufferRequest> requests)
    {
        var order = Enumerable.Range(0, requests.Count)
            .OrderByDescending(i => requests[i].Bytes).ThenBy(i => requests[i].FirstUse).ThenBy(i => requests[i].Id)
            .ToArray();
        var offsets = new int[requests.Count];
        var placed = new List<int>();
        var arena = 0;
        foreach (var i in order)
        {
            var request = requests[i];
            var conflicts = placed.Where(p => requests[p].LivesWith(request) && requests[p].Bytes > 0)
                .Select(p => (Start: offsets[p], End: offsets[p] + requests[p].Bytes))
                .OrderBy(c => c.Start).ToList();
            var candidate = 0;
            foreach (var (start, end) in conflicts)
            {
                if (candidate + request.Bytes <= start) break;
                candidate = Math.Max(candidate, Align(end));
            }
            offsets[i] = candidate;
            placed.Add(i);
            arena = Math.Max(arena, candidate + request.Bytes);
        }
        var plan = new MemoryPlan([.. requests], [.. offsets], Align(arena));
        if (plan.Overlaps().Any()) throw new InvalidOperationException("memory planner produced overlapping buffers");
        return plan;
    }

    public static int Align(int value) => (value + Alignment - 1) / Alignment * Alignment;
}
