namespace TinyTrain.Kernels;

/// <summary>Argument checks shared by the kernels. A failure is a compiler bug, so it throws.</summary>
internal static class Check
{
    public static void Length<T>(ReadOnlySpan<T> span, long expected, string name)
    {
        if (span.Length != expected)
        {
            throw new ArgumentException($"{name} has {span.Length} elements, expected {expected}", name);
        }
    }

    public static void Length<T>(Span<T> span, long expected, string name) => Length((ReadOnlySpan<T>)span, expected, name);

    public static void Bias(ReadOnlySpan<int> bias, int channels)
    {
        if (!bias.IsEmpty && bias.Length != channels)
        {
            throw new ArgumentException($"bias has {bias.Length} elements, expected 0 or {channels}", nameof(bias));
        }
    }

    public static void Int8(int value, string name)
    {
        if (value < sbyte.MinValue || value > sbyte.MaxValue)
        {
            throw new ArgumentException($"{name} = {value} is outside the int8 range", name);
        }
    }

    public static void ActivationRange(int min, int max)
    {
        Int8(min, "ActMin");
        Int8(max, "ActMax");
        if (min > max)
        {
            throw new ArgumentException($"ActMin {min} > ActMax {max}");
        }
    }

    public static void Positive(int value, string name)
    {
        if (value < 1)
        {
            throw new ArgumentException($"{name} = {value}, expected >= 1", name);
        }
    }

    public static void NonNegative(int value, string name)
    {
        if (value < 0)
        {
            throw new ArgumentException($"{name} = {value}, expected >= 0", name);
        }
    }
}
