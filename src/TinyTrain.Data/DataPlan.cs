namespace TinyTrain.Data;

/// <summary>How many examples to hold out for validation: a fraction or a count of the (limited) pool.</summary>
public readonly record struct ValidationSplit(double Fraction, int Count, bool Stratified)
{
    public static ValidationSplit None => default;

    /// <summary>round(fraction * pool) examples; stratified = each class contributes in proportion to its size.</summary>
    public static ValidationSplit OfFraction(double fraction, bool stratified = true)
    {
        if (!(fraction >= 0 && fraction < 1)) throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "must be in [0, 1)");
        return new(fraction, 0, stratified);
    }

    public static ValidationSplit OfCount(int count, bool stratified = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return new(0, count, stratified);
    }

    public int SizeFor(int pool) => Count > 0 ? Count : (int)Math.Round(Fraction * pool, MidpointRounding.AwayFromZero);
}

/// <summary>Seeded sampling helpers (all orders come from <see cref="SplitMix64"/>, never System.Random).</summary>
public static class Sampler
{
    public const ulong ShuffleStream = 1, EpochStream = 2, AugmentStream = 3;

    /// <summary>A permutation of 0..count-1 determined by <paramref name="seed"/>.</summary>
    public static int[] Permutation(int count, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var p = new int[count];
        for (int i = 0; i < count; i++) p[i] = i;
        SplitMix64.For(seed, ShuffleStream).Shuffle(p.AsSpan());
        return p;
    }

    /// <summary><paramref name="items"/> reshuffled for <paramref name="epoch"/> (a function of seed and epoch only).</summary>
    public static int[] EpochOrder(int[] items, ulong seed, int epoch)
    {
        var order = (int[])items.Clone();
        SplitMix64.For(seed, EpochStream, epoch).Shuffle(order.AsSpan());
        return order;
    }
}

/// <summary>
/// Which examples train and which validate. All indices are shuffled with the seed; <c>limit</c> keeps the first N
/// of that order (the pool); the validation set is then taken from the pool: stratified = the first
/// quota(c) examples of each class in pool order, quotas by largest remainder so they sum to the requested size;
/// not stratified = the first V of the pool. Train = the rest of the pool, in pool order.
/// </summary>
public sealed class DataPlan
{
    public ulong Seed { get; }
    /// <summary>Training example indices (into the dataset), in seeded pool order.</summary>
    public int[] Train { get; }
    /// <summary>Held-out example indices, in seeded pool order (empty if none).</summary>
    public int[] Validation { get; }

    DataPlan(ulong seed, int[] train, int[] validation) => (Seed, Train, Validation) = (seed, train, validation);

    public static DataPlan Create(LabelledDataset dataset, ulong seed, int? limit = null, ValidationSplit validation = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return Create(dataset.Count, dataset.Label, dataset.Classes, seed, limit, validation);
    }

    public static DataPlan Create(int count, Func<int, int> label, int classes, ulong seed, int? limit = null, ValidationSplit validation = default)
    {
        ArgumentNullException.ThrowIfNull(label);
        if (limit is < 1) throw new ArgumentOutOfRangeException(nameof(limit), limit, "must be at least 1");
        int[] pool = Sampler.Permutation(count, seed);
        if (limit < pool.Length) pool = pool[..limit.Value];
        int v = validation.SizeFor(pool.Length);
        if (v == 0) return new DataPlan(seed, pool, []);
        if (v >= pool.Length)
            throw new ArgumentOutOfRangeException(nameof(validation), $"validation of {v} leaves no training examples out of {pool.Length}");
        var isVal = new bool[pool.Length];
        if (!validation.Stratified)
            isVal.AsSpan(0, v).Fill(true);
        else
        {
            var labels = new int[pool.Length];
            var have = new int[classes];
            for (int i = 0; i < pool.Length; i++)
            {
                labels[i] = label(pool[i]);
                if ((uint)labels[i] >= (uint)classes) throw new ArgumentOutOfRangeException(nameof(label), $"label {labels[i]} of example {pool[i]} is not < {classes}");
                have[labels[i]]++;
            }
            int[] quota = Apportion(have, v, pool.Length);
            for (int i = 0; i < pool.Length; i++)
                if (quota[labels[i]] > 0) { quota[labels[i]]--; isVal[i] = true; }
        }
        var train = new List<int>(pool.Length - v);
        var val = new List<int>(v);
        for (int i = 0; i < pool.Length; i++) (isVal[i] ? val : train).Add(pool[i]);
        return new DataPlan(seed, [.. train], [.. val]);
    }

    /// <summary>Largest-remainder split of <paramref name="total"/> in proportion to <paramref name="sizes"/> (ties: lower class first).</summary>
    static int[] Apportion(int[] sizes, int total, int sum)
    {
        var q = new int[sizes.Length];
        var rem = new long[sizes.Length];
        int given = 0;
        for (int c = 0; c < sizes.Length; c++)
        {
            long p = (long)sizes[c] * total;
            q[c] = (int)(p / sum);
            rem[c] = p % sum;
            given += q[c];
        }
        var byRemainder = Enumerable.Range(0, sizes.Length).OrderByDescending(c => rem[c]).ThenBy(c => c).ToArray();
        for (int k = 0; given < total; k++, given++) q[byRemainder[k]]++;
        return q;
    }

    /// <summary>The training indices reshuffled for <paramref name="epoch"/> (from seed and epoch only).</summary>
    public int[] EpochOrder(int epoch) => Sampler.EpochOrder(Train, Seed, epoch);
}
