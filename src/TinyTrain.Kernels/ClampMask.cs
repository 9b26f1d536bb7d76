namespace TinyTrain.Kernels;

/// <summary>
/// The 1-bit clamp masks saved by a training forward pass for the backward pass: bit (i &amp; 7) of byte i &gt;&gt; 3
/// (LSB first) is 1 when output element i's pre-clamp value lay inside [min, max], i.e. the clamp did not change
/// it and the gradient passes (straight-through); a value equal to a bound counts as inside. The unused high bits
/// of the last byte are 0.
/// </summary>
public static class ClampMask
{
    /// <summary>Bytes of the mask of a tensor with this many elements: ceil(elements / 8).</summary>
    public static int ByteLength(int elements)
    {
        Check.NonNegative(elements, nameof(elements));
        return (int)(((long)elements + 7) >> 3);
    }

    /// <summary>Bit i of the mask.</summary>
    public static bool IsInside(ReadOnlySpan<byte> mask, int index) => ((mask[index >> 3] >> (index & 7)) & 1) != 0;

    internal static void Validate(ReadOnlySpan<byte> mask, long elements, string name) => Check.Length(mask, (elements + 7) >> 3, name);

    /// <summary>A forward kernel's optional mask: empty (record nothing), or checked and cleared for its writer.</summary>
    internal static void Prepare(Span<byte> mask, long elements)
    {
        if (!mask.IsEmpty)
        {
            Validate(mask, elements, nameof(mask));
            mask.Clear();
        }
    }

    /// <summary>Sets bit i (the mask starts cleared, so setting is all a writer does).</summary>
    internal static void Set(Span<byte> mask, int index) => mask[index >> 3] |= (byte)(1 << (index & 7));

    /// <summary>The fp32 forward's clamp to [min, max] (ReLU6 and the like); sets bit index when value is inside (empty mask: none).</summary>
    internal static float Apply(float value, float min, float max, Span<byte> mask, int index)
    {
        if (value >= min && value <= max)
        {
            if (!mask.IsEmpty)
            {
                Set(mask, index);
            }

            return value;
        }

        return value < min ? min : value > max ? max : value; // NaN passes through with bit 0
    }

    /// <summary>The clamp range of an fp32 forward kernel: ordered, not NaN (infinities allowed: no clamp).</summary>
    internal static void ValidateRange(float min, float max)
    {
        if (!(min <= max))
        {
            throw new ArgumentException($"clamp range [{min}, {max}] is empty or NaN");
        }
    }

    /// <summary>ORs count (&lt;= 64) bits, LSB first, in at bit index; bits above count must be 0.</summary>
    internal static void Or(Span<byte> mask, int index, ulong bits, int count)
    {
        int byteIndex = index >> 3;
        int bit = index & 7;
        while (count > 0)
        {
            mask[byteIndex++] |= (byte)(bits << bit);
            int written = 8 - bit;
            bits >>= written;
            count -= written;
            bit = 0;
        }
    }

    /// <summary>Reads count (&lt;= 25) bits from bit index on, LSB first, touching only bytes inside the mask.</summary>
    internal static uint Read(ReadOnlySpan<byte> mask, int index, int count)
    {
        int byteIndex = index >> 3;
        int last = (index + count - 1) >> 3;
        uint window = 0;
        for (int b = last; b >= byteIndex; b--)
        {
            window = (window << 8) | mask[b];
        }

        return (window >> (index & 7)) & (uint)((1UL << count) - 1);
    }
}
