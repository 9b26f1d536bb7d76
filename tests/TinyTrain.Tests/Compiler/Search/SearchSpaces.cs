using System.Collections.Immutable;
using TinyTrain.Compiler.Search;

namespace TinyTrain.Tests.Compiler.Search;

/// <summary>Small random search spaces (seeded), with negative gains and uneven costs, for solver tests.</summary>
internal static class SearchSpaces
{
    public static SearchSpace Random(int seed, int convCount = 7, int maxBias = 6, int layers = 4, int ratios = 3)
    {
        var random = new Random(seed);
        var biasGains = ImmutableArray.CreateBuilder<double>();
        var biasCosts = ImmutableArray.CreateBuilder<long>();
        long fixedCost = random.Next(1, 20);
        for (var k = 0; k <= maxBias; k++)
        {
            if (k > 0) fixedCost += random.Next(1, 30);
            biasGains.Add(k == 0 ? 0 : random.NextDouble() * 0.1 - 0.02);
            biasCosts.Add(fixedCost);
        }
        var convs = Enumerable.Range(0, convCount).OrderBy(_ => random.Next()).Take(layers).Order().ToList();
        var space = convs.Select(conv => new SearchLayer(conv,
            [.. Enumerable.Range(1, ratios).Select(r => r / (double)ratios)],
            [.. Enumerable.Range(0, ratios).Select(_ => random.NextDouble() * 0.06 - 0.02)],
            [.. Enumerable.Range(0, ratios).Select(r => (long)(r + 1) * random.Next(2, 40))])).ToImmutableArray();
        return new SearchSpace(convCount, biasGains.ToImmutable(), biasCosts.ToImmutable(), space);
    }
}
