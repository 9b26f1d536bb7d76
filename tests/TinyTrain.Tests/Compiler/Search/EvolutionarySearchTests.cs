using TinyTrain.Compiler.Search;

namespace TinyTrain.Tests.Compiler.Search;

public class EvolutionarySearchTests
{
    private static readonly EvolutionOptions Small = new() { Population = 50, Generations = 30, Seed = 3 };

    [Fact]
    public void Evolution_is_never_better_than_the_exact_optimum_and_stays_within_the_budget()
    {
        var found = 0;
        for (var seed = 0; seed < 30; seed++)
        {
            var space = SearchSpaces.Random(seed, convCount: 12, maxBias: 10, layers: 8, ratios: 4);
            var limit = space.AdditiveCost(new Candidate(space.MaxBiasLayers, [.. space.Layers.Select(l => l.Ratios.Length)])) / 3;
            var exact = ExactSolver.Solve(space, limit)!.Value;
            var evolved = EvolutionarySearch.Run(space, space.AdditiveCost, limit, Small with { Seed = (ulong)seed })!;
            Assert.True(space.IsValid(evolved.Best));
            Assert.True(evolved.Cost <= limit);
            Assert.True(evolved.Gain <= space.Gain(exact) + 1e-12, $"seed {seed}: evolution {evolved.Gain} beat the optimum {space.Gain(exact)}");
            if (evolved.Gain >= space.Gain(exact) - 1e-12) found++;
        }
        Assert.True(found >= 10, $"evolution reached the optimum on only {found} of 30 small spaces");
    }

    [Fact]
    public void The_same_seed_gives_the_same_scheme_and_another_seed_may_not()
    {
        var space = SearchSpaces.Random(7, convCount: 20, maxBias: 18, layers: 12, ratios: 4);
        var limit = space.BiasCosts[^1];
        var a = EvolutionarySearch.Run(space, space.AdditiveCost, limit, Small)!;
        var b = EvolutionarySearch.Run(space, space.AdditiveCost, limit, Small)!;
        Assert.Equal(a.Best, b.Best);
        Assert.Equal(a.Evaluated, b.Evaluated);
    }

    [Fact]
    public void Nothing_is_returned_when_even_head_only_is_over_the_budget()
    {
        var space = SearchSpaces.Random(2);
        Assert.Null(EvolutionarySearch.Run(space, space.AdditiveCost, space.BiasCosts[0] - 1, Small));
    }
}
