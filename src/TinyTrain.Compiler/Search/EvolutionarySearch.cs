using System.Collections.Immutable;

namespace TinyTrain.Compiler.Search;

/// <summary>Settings of the evolutionary search (the paper's: a population, mutation, crossover, fitness = predicted gain).</summary>
public sealed record EvolutionOptions
{
    public int Population { get; init; } = 100;
    public int Generations { get; init; } = 40;

    /// <summary>Share of the population kept as parents each generation.</summary>
    public double ParentFraction { get; init; } = 0.25;

    /// <summary>Share of the children made by mutation; the rest by crossover of two parents.</summary>
    public double MutationShare { get; init; } = 0.5;

    /// <summary>Probability that a mutation redraws a gene (the bias range or one layer's ratio).</summary>
    public double MutationProbability { get; init; } = 0.1;

    /// <summary>Draws per child before giving up on finding one within the budget.</summary>
    public int MaxTries { get; init; } = 50;

    public ulong Seed { get; init; } = 1;
}

/// <summary>The best candidate found and how many distinct candidates had their cost evaluated.</summary>
public sealed record EvolutionResult(Candidate Best, double Gain, long Cost, int Evaluated);

/// <summary>
/// The paper's evolutionary search over sparse-update schemes (paper-notes §2.7): random schemes within the budget,
/// then each generation keeps the best as parents and breeds children by mutation (each gene redrawn with a small
/// probability) and uniform crossover; a child over the budget is redrawn. Genes are the bias range k and one ratio
/// choice per searchable layer; weights that fall outside the bias range are dropped. The cost is any function
/// (the additive model, or the planned arena); results depend only on the seed.
/// </summary>
public static class EvolutionarySearch
{
    public static EvolutionResult? Run(SearchSpace space, Func<Candidate, long> cost, long limit, EvolutionOptions options)
    {
        var random = new Random64(options.Seed);
        var costs = new Dictionary<Candidate, long>();
        long Cost(Candidate c)
        {
            if (!costs.TryGetValue(c, out var value)) costs[c] = value = cost(c);
            return value;
        }
        bool Fits(Candidate c) => Cost(c) <= limit;
        if (!Fits(space.Empty)) return null;

        var population = new List<Candidate>();
        for (var i = 0; i < options.Population; i++)
        {
            if (Draw(() => Sample(space, random), Fits, options.MaxTries) is { } c) population.Add(c);
        }
        population.Add(space.Empty);
        population = Rank(space, population, Cost).Take(options.Population).ToList();

        var parents = Math.Max(2, (int)Math.Round(options.Population * options.ParentFraction));
        var mutants = (int)Math.Round(options.Population * options.MutationShare);
        for (var generation = 0; generation < options.Generations; generation++)
        {
            var elite = population.Take(parents).ToList();
            var children = new List<Candidate>(elite);
            for (var i = 0; i < mutants; i++)
            {
                var parent = elite[random.Below(elite.Count)];
                if (Draw(() => Mutate(space, parent, options.MutationProbability, random), Fits, options.MaxTries) is { } c) children.Add(c);
            }
            while (children.Count < options.Population + parents)
            {
                var (a, b) = (elite[random.Below(elite.Count)], elite[random.Below(elite.Count)]);
                var before = children.Count;
                if (Draw(() => Crossover(space, a, b, random), Fits, options.MaxTries) is { } c) children.Add(c);
                if (children.Count == before) break; // no child within budget after MaxTries: keep what we have
            }
            population = Rank(space, children, Cost).Take(options.Population).ToList();
        }
        var best = population[0];
        return new EvolutionResult(best, space.Gain(best), Cost(best), costs.Count);
    }

    /// <summary>Distinct candidates by gain (descending), then cost, then their text: a total order, so ranks never depend on input order.</summary>
    private static IEnumerable<Candidate> Rank(SearchSpace space, List<Candidate> candidates, Func<Candidate, long> cost) =>
        candidates.Distinct().OrderByDescending(space.Gain).ThenBy(cost).ThenBy(c => c.ToString(), StringComparer.Ordinal);

    private static Candidate? Draw(Func<Candidate> make, Func<Candidate, bool> fits, int tries)
    {
        for (var i = 0; i < tries; i++)
        {
            var c = make();
            if (fits(c)) return c;
        }
        return null;
    }

    /// <summary>A uniformly random bias range; each layer inside it frozen or at a random ratio, with equal odds.</summary>
    private static Candidate Sample(SearchSpace space, Random64 random)
    {
        var k = random.Below(space.MaxBiasLayers + 1);
        var picks = new int[space.Layers.Length];
        for (var i = 0; i < picks.Length; i++)
        {
            if (space.InRange(i, k) && random.Below(2) == 1) picks[i] = 1 + random.Below(space.Layers[i].Ratios.Length);
        }
        return new Candidate(k, [.. picks]);
    }

    private static Candidate Mutate(SearchSpace space, Candidate parent, double probability, Random64 random)
    {
        var k = random.Chance(probability) ? random.Below(space.MaxBiasLayers + 1) : parent.BiasLayers;
        var picks = parent.Choices.ToArray();
        for (var i = 0; i < picks.Length; i++)
        {
            if (random.Chance(probability)) picks[i] = random.Below(space.Layers[i].Ratios.Length + 1);
        }
        return Repair(space, k, picks);
    }

    private static Candidate Crossover(SearchSpace space, Candidate a, Candidate b, Random64 random)
    {
        var k = random.Below(2) == 0 ? a.BiasLayers : b.BiasLayers;
        var picks = new int[a.Choices.Length];
        for (var i = 0; i < picks.Length; i++) picks[i] = random.Below(2) == 0 ? a.Choices[i] : b.Choices[i];
        return Repair(space, k, picks);
    }

    /// <summary>Drops the weights outside the bias range: they cannot train without their bias.</summary>
    private static Candidate Repair(SearchSpace space, int k, int[] picks)
    {
        for (var i = 0; i < picks.Length; i++)
        {
            if (!space.InRange(i, k)) picks[i] = 0;
        }
        return new Candidate(k, ImmutableArray.Create(picks));
    }

    /// <summary>SplitMix64: a tiny seeded generator, so results never depend on the runtime's System.Random.</summary>
    private sealed class Random64(ulong seed)
    {
        private ulong state = seed;

        private ulong Next()
        {
            var z = state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        public int Below(int n) => (int)(Next() % (ulong)n);

        public bool Chance(double p) => (Next() >> 11) * (1.0 / (1UL << 53)) < p;
    }
}
