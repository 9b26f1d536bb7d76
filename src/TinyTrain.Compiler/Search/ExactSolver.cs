namespace TinyTrain.Compiler.Search;

/// <summary>
/// The exact optimum of the additive problem (<see cref="SearchSpace"/>): a multiple-choice knapsack over the weight
/// layers, one dynamic program for all bias ranges at once. Layers are added from the last conv backwards, so after
/// the m-th layer the table answers "best weight gain within cost c using the last m searchable convs", which is
/// exactly the set a bias range of k layers admits. Costs are divided by their greatest common divisor, so the table
/// has (limit / gcd) entries per layer and the answer is exact, not a rounding.
/// </summary>
public static class ExactSolver
{
    /// <summary>Largest table the solver builds (entries per layer); beyond it the budget is absurdly fine-grained.</summary>
    public const long MaxCapacity = 64L << 20;

    /// <summary>The candidate of greatest gain with additive cost &lt;= <paramref name="limit"/>, or null if even head-only exceeds it.
    /// Ties go to the cheaper candidate, then to the smaller bias range.</summary>
    public static Candidate? Solve(SearchSpace space, long limit)
    {
        var order = Enumerable.Range(0, space.Layers.Length).OrderByDescending(i => space.Layers[i].Conv).ToArray();
        var unit = 1L;
        var first = true;
        foreach (var layer in space.Layers)
        {
            foreach (var cost in layer.Costs)
            {
                if (cost <= 0) throw new ArgumentException($"conv {layer.Conv} has a non-positive cost {cost}");
                unit = first ? cost : Gcd(unit, cost);
                first = false;
            }
        }
        var feasible = Enumerable.Range(0, space.MaxBiasLayers + 1).Where(k => space.BiasCosts[k] <= limit).ToList();
        if (feasible.Count == 0) return null;
        var allWeights = space.Layers.Sum(l => l.Costs.Max()) / unit;
        var capacity = Math.Min(allWeights, feasible.Max(k => (limit - space.BiasCosts[k]) / unit));
        if (capacity > MaxCapacity) throw new ArgumentException($"the budget needs a table of {capacity:N0} entries per layer (limit {MaxCapacity:N0})");

        var size = (int)capacity + 1;
        var best = new double[size]; // best[c]: greatest gain of the layers added so far within scaled cost c
        var choices = new byte[order.Length][]; // per layer and capacity: the pick, enough to walk the optimum back
        var next = new double[size];
        for (var m = 0; m < order.Length; m++)
        {
            var layer = space.Layers[order[m]];
            var choice = choices[m] = new byte[size];
            for (var c = 0; c < size; c++)
            {
                var value = best[c];
                byte pick = 0;
                for (var r = 0; r < layer.Ratios.Length; r++)
                {
                    var w = layer.Costs[r] / unit;
                    // Strictly greater: on a tie the frozen layer or the smaller ratio (the cheaper one) stays.
                    if (w <= c && best[c - w] + layer.Gains[r] > value)
                    {
                        value = best[c - w] + layer.Gains[r];
                        pick = (byte)(r + 1);
                    }
                }
                next[c] = value;
                choice[c] = pick;
            }
            (best, next) = (next, best);
        }

        Candidate? winner = null;
        double winnerGain = double.NegativeInfinity;
        long winnerCost = long.MaxValue;
        foreach (var k in feasible)
        {
            var admitted = order.TakeWhile(i => space.InRange(i, k)).Count();
            var budget = Math.Min(capacity, (limit - space.BiasCosts[k]) / unit);
            var picks = new int[space.Layers.Length];
            var c = (int)budget;
            for (var m = admitted - 1; m >= 0; m--)
            {
                var pick = choices[m][c];
                picks[order[m]] = pick;
                if (pick > 0) c -= (int)(space.Layers[order[m]].Costs[pick - 1] / unit);
            }
            var candidate = new Candidate(k, [.. picks]);
            var gain = space.Gain(candidate);
            var cost = space.AdditiveCost(candidate);
            if (gain > winnerGain || (gain == winnerGain && cost < winnerCost))
            {
                (winner, winnerGain, winnerCost) = (candidate, gain, cost);
            }
        }
        return winner;
    }

    /// <summary>Every valid candidate within the limit, for tests and tiny spaces: the reference the solver is checked against.</summary>
    public static Candidate? BruteForce(SearchSpace space, long limit)
    {
        Candidate? winner = null;
        double winnerGain = double.NegativeInfinity;
        for (var k = 0; k <= space.MaxBiasLayers; k++)
        {
            var picks = new int[space.Layers.Length];
            while (true)
            {
                var candidate = new Candidate(k, [.. picks]);
                if (space.IsValid(candidate) && space.AdditiveCost(candidate) <= limit && space.Gain(candidate) > winnerGain)
                    (winner, winnerGain) = (candidate, space.Gain(candidate));
                var i = 0;
                while (i < picks.Length && ++picks[i] > space.Layers[i].Ratios.Length) picks[i++] = 0;
                if (i == picks.Length) break;
            }
        }
        return winner;
    }

    private static long Gcd(long a, long b)
    {
        while (b != 0) (a, b) = (b, a % b);
        return a;
    }
}
