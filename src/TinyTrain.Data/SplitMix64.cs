namespace TinyTrain.Data;

/// <summary>
/// SplitMix64 (Steele, Lea, Flood 2014): a tiny, fixed PRNG so shuffles and augmentations are identical across
/// .NET versions and machines (System.Random's algorithm is not guaranteed). Not cryptographic.
/// </summary>
public struct SplitMix64
{
    const ulong Gamma = 0x9E3779B97F4A7C15;
    ulong _state;

    public SplitMix64(ulong seed) => _state = seed;

    /// <summary>An independent generator for (seed, stream, a, b), e.g. (run seed, "augment", epoch, example).</summary>
    public static SplitMix64 For(ulong seed, ulong stream, long a = 0, long b = 0)
    {
        ulong h = Mix(seed + Gamma * (stream + 1));
        h = Mix(h ^ (ulong)a);
        h = Mix((h + Gamma) ^ (ulong)b);
        return new SplitMix64(h);
    }

    /// <summary>The SplitMix64 output function (a bijective 64-bit mixer).</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    public ulong Next()
    {
        _state += Gamma;
        return Mix(_state);
    }

    /// <summary>Uniform in [0, n), unbiased (Lemire's multiply-and-reject).</summary>
    public int NextInt(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        ulong un = (ulong)n;
        ulong hi = Math.BigMul(Next(), un, out ulong lo);
        if (lo < un)
        {
            ulong threshold = (0 - un) % un;
            while (lo < threshold) hi = Math.BigMul(Next(), un, out lo);
        }
        return (int)hi;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Fisher-Yates shuffle in place.</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
