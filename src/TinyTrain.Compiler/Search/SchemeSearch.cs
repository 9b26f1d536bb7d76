using TinyTrain.Compiler.Lowering;
using TinyTrain.Compiler.Sparse;
using TinyTrain.Ir;

namespace TinyTrain.Compiler.Search;

/// <summary>What the budget bounds.</summary>
public enum BudgetKind
{
    /// <summary>The planned training arena: all SRAM of a step (forward buffers included).</summary>
    Arena,

    /// <summary>The paper's analytic "extra memory" (paper-notes §2.6; forward buffers excluded).</summary>
    Analytic,
}

/// <summary>One searched scheme with its predicted gain and both memory figures.</summary>
public sealed record SearchPick(Candidate Candidate, UpdateScheme Scheme, double Gain, double AnalyticBytes, int ArenaBytes);

/// <param name="Exact">The optimum of the additive objective (for an arena budget: of the analytic surrogate, verified by the arena).</param>
/// <param name="Evolutionary">The evolutionary search's best, under the same budget.</param>
/// <param name="Evaluated">Distinct candidates whose cost the evolutionary search evaluated.</param>
/// <param name="Compiled">Distinct candidates compiled to measure their arena.</param>
public sealed record SearchResult(SearchPick Exact, SearchPick Evolutionary, int Evaluated, int Compiled)
{
    /// <summary>How much predicted gain the evolutionary search leaves on the table (0 when it finds the optimum).</summary>
    public double Gap => Exact.Gain - Evolutionary.Gain;

    /// <summary>The better of the two (the exact one on a tie).</summary>
    public SearchPick Best => Evolutionary.Gain > Exact.Gain ? Evolutionary : Exact;
}

/// <summary>
/// Finds the scheme of greatest predicted gain within a memory budget, twice: exactly (<see cref="ExactSolver"/>) and
/// with the paper's evolutionary search, so the report can say how far the latter is from the optimum.
/// <list type="bullet">
/// <item>Analytic budget: the cost is additive, the exact solver is the true optimum and the evolution runs on the same cost.</item>
/// <item>Arena budget: the arena of a scheme is a peak over time, not a sum, so no knapsack is exact for it. The exact
///   solver runs on the analytic surrogate, and the surrogate budget is bisected until the optimum's planned arena
///   fits; the evolution compiles every candidate and uses the arena itself.</item>
/// </list>
/// </summary>
public static class SchemeSearch
{
    /// <summary>Throws a one-line <see cref="CompilationException"/> when nothing can train within the budget, naming the minimum.</summary>
    public static void CheckBudget(Graph model, BudgetKind kind, long budget, int classes)
    {
        if (kind == BudgetKind.Arena)
        {
            var inference = InferenceLowering.Lower(model, InferenceLowering.Device).ArenaBytes;
            if (budget < inference)
                throw new CompilationException($"the budget of {budget:N0} B is below the {inference:N0} B that inference alone needs (the planned inference arena of {model.Name})");
        }
        else
        {
            var headOnly = AnalyticMemory.ExtraBytes(new UpdateScheme("head-only", 0, []), model, classes);
            if (budget < headOnly)
                throw new CompilationException($"the budget of {budget:N0} B is below the {headOnly:N0} B of extra memory that training the head alone needs ({model.Name})");
        }
    }

    public static SearchResult Run(SearchSpace space, ArenaCost arena, ConvIndex index, int classes, BudgetKind kind, long budget, EvolutionOptions evolution, string name)
    {
        SearchPick Pick(Candidate c) => new(c, space.ToScheme(c, name), space.Gain(c),
            AnalyticMemory.ExtraBytes(space.ToScheme(c, name), index.Graph, classes), arena.Bytes(c));

        if (kind == BudgetKind.Analytic)
        {
            var limit = checked(budget * 8);
            var exact = ExactSolver.Solve(space, limit) ?? throw NoScheme(budget, kind);
            var evolved = EvolutionarySearch.Run(space, space.AdditiveCost, limit, evolution) ?? throw NoScheme(budget, kind);
            return new SearchResult(Pick(exact), Pick(evolved.Best), evolved.Evaluated, arena.Compiled);
        }

        var surrogate = BisectSurrogate(space, arena, budget) ?? throw NoScheme(budget, kind);
        var evolvedArena = EvolutionarySearch.Run(space, c => arena.Bytes(c), budget, evolution) ?? throw NoScheme(budget, kind);
        return new SearchResult(Pick(surrogate), Pick(evolvedArena.Best), evolvedArena.Evaluated, arena.Compiled);
    }

    /// <summary>
    /// The exact optimum under a surrogate analytic limit S whose planned arena fits; S is bisected between head-only
    /// and everything. The arena is not monotone in S, so the best fitting optimum seen along the way is kept.
    /// </summary>
    private static Candidate? BisectSurrogate(SearchSpace space, ArenaCost arena, long budget)
    {
        var full = new Candidate(space.MaxBiasLayers, [.. space.Layers.Select(l => l.Ratios.Length)]);
        long low = space.BiasCosts[0], high = space.AdditiveCost(full);
        Candidate? best = null;
        void Consider(Candidate c)
        {
            if (arena.Bytes(c) <= budget && (best is null || space.Gain(c) > space.Gain(best.Value))) best = c;
        }
        if (ExactSolver.Solve(space, high) is { } unconstrained && arena.Bytes(unconstrained) <= budget) return unconstrained;
        Consider(space.Empty);
        if (best is null) return null;
        // The arena of the optimum under S grows with S in most steps; 40 halvings reach the cost unit.
        for (var step = 0; step < 40 && high - low > 1; step++)
        {
            var middle = low + (high - low) / 2;
            var c = ExactSolver.Solve(space, middle)!.Value;
            if (arena.Bytes(c) <= budget)
            {
                Consider(c);
                low = middle;
            }
            else
            {
                high = middle;
            }
        }
        return best;
    }

    private static CompilationException NoScheme(long budget, BudgetKind kind) =>
        new($"no scheme fits the {(kind == BudgetKind.Arena ? "arena" : "analytic extra-memory")} budget of {budget:N0} B, not even training the head alone");
}
