namespace TinyTrain.Kernels;

/// <summary>
/// A filter whose update trains only some input channels keeps just those in SRAM (a [rows, k] slice); the frozen
/// channels stay in flash. Merge rebuilds the whole filter for the calls that read it: frozen rows with the trained
/// channels written over them. Row r of the slice holds channels[0..k) of row r of the whole filter (rows of
/// `inner` values: the innermost axis is the input channel).
/// </summary>
public static class SliceMerge
{
    /// <summary>merged = frozen, then merged[r * inner + channels[j]] = trained[r * k + j].</summary>
    public static void Merge(ReadOnlySpan<sbyte> frozen, ReadOnlySpan<sbyte> trained, ReadOnlySpan<int> channels, Span<sbyte> merged)
    {
        var (rows, inner) = Validate(frozen.Length, trained.Length, channels, merged.Length);
        frozen.CopyTo(merged);
        int k = channels.Length;
        for (int row = 0; row < rows; row++)
        {
            for (int j = 0; j < k; j++)
            {
                merged[row * inner + channels[j]] = trained[row * k + j];
            }
        }
    }

    /// <summary>The slice of a whole filter: slice[r * k + j] = whole[r * inner + channels[j]].</summary>
    public static void Extract(ReadOnlySpan<sbyte> whole, ReadOnlySpan<int> channels, int inner, Span<sbyte> slice)
    {
        if (inner <= 0 || whole.Length % inner != 0) throw new ArgumentException($"a filter of {whole.Length} values has no rows of {inner}", nameof(inner));
        Validate(whole.Length, slice.Length, channels, whole.Length, inner);
        int k = channels.Length;
        for (int row = 0; row < whole.Length / inner; row++)
        {
            for (int j = 0; j < k; j++)
            {
                slice[row * k + j] = whole[row * inner + channels[j]];
            }
        }
    }

    private static (int Rows, int Inner) Validate(int frozen, int trained, ReadOnlySpan<int> channels, int merged, int inner = 0)
    {
        int k = channels.Length;
        if (k == 0 || trained % k != 0) throw new ArgumentException($"a slice of {trained} values is not whole rows of {k} channels", nameof(channels));
        int rows = trained / k;
        if (inner == 0) inner = rows == 0 ? 0 : frozen / rows;
        if (rows == 0 || frozen != rows * inner || merged != frozen)
            throw new ArgumentException($"filter of {frozen} values, slice of {trained} ({rows} rows of {k}), output of {merged}", nameof(trained));
        Check.Channels(channels, inner, nameof(channels));
        return (rows, inner);
    }
}
