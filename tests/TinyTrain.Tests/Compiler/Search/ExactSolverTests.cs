using System.Collections.Immutable;
using TinyTrain.Compiler.Search;
using TinyTrain.Compiler.Sparse;
using TinyTrain.Tests.Compiler.Sparse;

namespace TinyTrain.Tests.Compiler.Search;

public class ExactSolverTests
{
    [Fact]
    public void The_dynamic_program_finds_the_brute_force_optimum_on_small_spaces()
    {
        for (var seed = 0; seed < 60; seed++)
        {
            var space = SearchSpaces.Random(seed);
            var most = space.AdditiveCost(new Candidate(space.MaxBiasLayers, [.. space.Layers.Select(l => l.Ratios.Length)]));
            foreach (var limit in new[] { space.BiasCosts[0], most / 4, most / 2, most * 3 / 4, most })
            {
                var exact = ExactSolver.Solve(space, limit);
                var brute = ExactSolver.BruteForce(space, limit);
                Assert.NotNull(exact);
                Assert.NotNull(brute);
                Assert.True(space.IsValid(exact.Value), $"seed {seed}: {exact} is not a valid candidate");
                Assert.True(space.AdditiveCost(exact.Value) <= limit, $"seed {seed}: {exact} costs {space.AdditiveCost(exact.Value)} > {limit}");
                Assert.Equal(space.Gain(brute.Value), space.Gain(exact.Value), 12);
            }
        }
    }

    [Fact]
    public void Nothing_fits_below_the_head_only_cost()
    {
        var space = SearchSpaces.Random(1);
        Assert.Null(ExactSolver.Solve(space, space.BiasCosts[0] - 1));
        Assert.Equal(space.Empty, ExactSolver.Solve(space, space.BiasCosts[0]));
    }

    [Fact]
    public void A_weight_outside_the_bias_range_is_never_chosen_however_good()
    {
        // Conv 0 has a huge gain but only k = 3 covers it, and k = 3 costs more than the budget.
        var space = new SearchSpace(3, [0, 0.01, 0.02, 0.03], [0, 10, 25, 1000],
            [new SearchLayer(0, [1], [5.0], [1]), new SearchLayer(2, [0.5, 1], [0.02, 0.04], [5, 9])]);
        var best = ExactSolver.Solve(space, 30)!.Value;
        Assert.Equal(new Candidate(1, [0, 2]), best); // k = 1 (10) + conv 2 at 1 (9): 0.05 beats k = 2 (25) + conv 2 at 1/2 (5): 0.04
        Assert.Equal(0.05, space.Gain(best), 12);
    }

    [Fact]
    public void The_analytic_space_costs_exactly_what_the_analytic_memory_model_says()
    {
        var index = ConvIndex.Of(SparseModels.Mcunet);
        var convs = Enumerable.Range(21, 21).ToList();
        var ratios = new[] { 0.125, 0.25, 0.5, 1 };
        var table = new ContributionTable(ContributionMetric.Accuracy, 0.5, [.. Enumerable.Range(1, index.Count).Select(k => 0.5 + k * 0.001)], 21,
            [.. convs.SelectMany(c => ratios.Select(r => new WeightContribution(c, r, 0.6)))]);
        var space = SearchSpace.Analytic(table, index);
        var random = new Random(5);
        for (var trial = 0; trial < 40; trial++)
        {
            var k = random.Next(0, index.Count + 1);
            var picks = space.Layers.Select((_, i) => space.InRange(i, k) && random.Next(2) == 1 ? random.Next(1, 5) : 0).ToArray();
            var candidate = new Candidate(k, [.. picks]);
            var scheme = space.ToScheme(candidate, "random");
            Assert.Equal(AnalyticMemory.Breakdown(scheme, index, 10).TotalBits, space.AdditiveCost(candidate));
        }
        // The paper's 99kb scheme is a point of the space, at its published 99.8 KB.
        var paper = PaperSchemes.TryGet("mcunet-5fps", "99kb")!;
        var choices = space.Layers.Select(l => paper.WeightOf(l.Conv) is { } w ? l.Ratios.IndexOf(w.Ratio) + 1 : 0).ToArray();
        Assert.Equal("99.8 KB", Labels.Kb(space.AdditiveCost(new Candidate(paper.BiasLayers, [.. choices])) / 8.0));
    }
}
