namespace TinyTrain.Kernels;

/// <summary>Argument checks shared by the kernels. A failure is a compiler bug, so it throws.</summary>
internal static class Check
{
    public static void Length<T>(ReadOnlySpan<T> span, long expected, string name) => Count(span.Length, expected, name);

    /// <summary>The length check for a span whose element type varies between overloads.</summary>
    public static void Count(int count, long expected, string name)
    {
        if (count != expected)
        {
            throw new ArgumentException($"{name} has {count} elements, expected {expected}", name);
        }
    }

    public static void Length<T>(Span<T> span, long expected, string name) => Length((ReadOnlySpan<T>)span, expected, name);

    /// <summary>A bias has one value per channel, or none.</summary>
    public static void Bias(int length, int channels)
    {
        if (length != 0 && length != channels)
        {
            throw new ArgumentException($"bias has {length} elements, expected 0 or {channels}", "bias");
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

    /// <summary>A window of whole output channels, each perOutput values: returns the count it covers.</summary>
    public static int OutputWindow(int length, int perOutput, int firstOutput, int outputs, string name)
    {
        if (perOutput <= 0 || length % perOutput != 0 || firstOutput < 0 || firstOutput + length / perOutput > outputs)
        {
            throw new ArgumentException($"{name} has {length} elements: not whole channels of {perOutput} from channel {firstOutput} of {outputs}", name);
        }

        return length / perOutput;
    }

    /// <summary>A selection of input channels: every entry in [0, channels).</summary>
    public static void Channels(ReadOnlySpan<int> selected, int channels, string name)
    {
        foreach (int channel in selected)
        {
            if (channel < 0 || channel >= channels)
            {
                throw new ArgumentException($"{name} holds channel {channel}, expected 0..{channels - 1}", name);
            }
        }
    }

    public static void Finite(float value, string name)
    {
        if (!float.IsFinite(value))
        {
            throw new ArgumentException($"{name} = {value} is not finite", name);
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
