using TinyTrain.Compiler.Memory;

namespace TinyTrain.Tests.Compiler;

public class GreedyBySizePlannerTests
{
    [Fact]
    public void Buffers_that_never_live_together_share_offset_zero()
    {
        var plan = GreedyBySizePlanner.Plan([new(0, 100, 0, 1), new(1, 200, 2, 3)]);
        Assert.Equal([0, 0], plan.Offsets.ToArray());
        Assert.Equal(200, plan.ArenaBytes);
    }

    [Fact]
    public void A_chain_of_ops_needs_only_the_two_largest_neighbours()
    {
        // in(0..0) -> a(0..1) -> b(1..2) -> out(2..3): each op holds its input and output.
        var plan = GreedyBySizePlanner.Plan([new(0, 64, 0, 0), new(1, 256, 0, 1), new(2, 128, 1, 2), new(3, 16, 2, 3)]);
        Assert.Equal(256 + 128, plan.ArenaBytes);
        Assert.Empty(plan.Overlaps());
        Assert.Equal(0, plan.Offsets[1]); // largest first, at the bottom
        Assert.Equal(256, plan.Offsets[2]);
    }

    [Fact]
    public void Offsets_are_aligned_and_gaps_are_reused()
    {
        var plan = GreedyBySizePlanner.Plan([new(0, 10, 0, 2), new(1, 30, 1, 1), new(2, 5, 3, 3), new(3, 20, 0, 0)]);
        Assert.All(plan.Offsets, o => Assert.Equal(0, o % GreedyBySizePlanner.Alignment));
        Assert.Empty(plan.Overlaps());
        Assert.Equal(0, plan.Offsets[2]); // lives alone at step 3
    }

    [Fact]
    public void Random_plans_never_overlap()
    {
        var random = new Random(5);
        for (var trial = 0; trial < 200; trial++)
        {
            var requests = Enumerable.Range(0, random.Next(1, 40)).Select(i =>
            {
                var first = random.Next(0, 30);
                return new BufferRequest(i, random.Next(0, 5000), first, first + random.Next(0, 10));
            }).ToList();
            var plan = GreedyBySizePlanner.Plan(requests);
            Assert.Empty(plan.Overlaps());
            var peak = Enumerable.Range(0, 40).Max(t => requests.Where(r => r.FirstUse <= t && t <= r.LastUse).Sum(r => r.Bytes));
            Assert.True(plan.ArenaBytes >= peak, "an arena can never be smaller than the bytes live at one time");
        }
    }
}
