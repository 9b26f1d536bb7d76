namespace TinyTrain.Data;

/// <summary>A read-only view of 8-bit HWC pixels (1 or 3 channels), e.g. one image inside a compact IDX array.</summary>
public readonly ref struct ImageView
{
    public int Width { get; }
    public int Height { get; }
    public int Channels { get; }
    public ReadOnlySpan<byte> Pixels { get; }

    public ImageView(int width, int height, int channels, ReadOnlySpan<byte> pixels)
    {
        if (width <= 0 || width > Image8.MaxSide || height <= 0 || height > Image8.MaxSide)
            throw new ArgumentOutOfRangeException(nameof(width), $"{width}x{height} must be 1..{Image8.MaxSide} per side");
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "must be 1 or 3");
        if (pixels.Length != (long)width * height * channels)
            throw new ArgumentException($"{pixels.Length} bytes, {width}x{height}x{channels} needs {(long)width * height * channels}", nameof(pixels));
        Width = width;
        Height = height;
        Channels = channels;
        Pixels = pixels;
    }

    public ImageView(Image8 img) : this(img.Width, img.Height, img.Channels, img.Pixels) { }
}

/// <summary>Labelled images, decoded on demand. Implementations must be safe to read from several threads.</summary>
public abstract class LabelledDataset
{
    /// <summary>Short description used in logs and errors (e.g. "fashion-mnist/train").</summary>
    public abstract string Name { get; }
    public abstract int Count { get; }
    public int Classes => ClassNames.Length;
    public abstract string[] ClassNames { get; }

    /// <summary>Class of example <paramref name="index"/>, 0..Classes-1.</summary>
    public abstract int Label(int index);

    /// <summary>Decodes example <paramref name="index"/> into a new image.</summary>
    public abstract Image8 LoadImage(int index);

    /// <summary>
    /// The pixels of example <paramref name="index"/>. Datasets with a compact in-memory source (IDX) return a view
    /// without allocating; the default decodes a new image (valid until the caller drops it).
    /// </summary>
    public virtual ImageView View(int index) => new(LoadImage(index));

    /// <summary>Number of examples per class.</summary>
    public int[] ClassCounts()
    {
        var h = new int[Classes];
        for (int i = 0; i < Count; i++) h[Label(i)]++;
        return h;
    }

    public override string ToString() => $"{Name}: {Count} examples, {Classes} classes";

    protected void CheckIndex(int index)
    {
        if ((uint)index >= (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"{Name} has {Count} examples");
    }
}

/// <summary>A training split and, when the source has one, a separate test split.</summary>
public sealed record DatasetSplit(LabelledDataset Train, LabelledDataset? Test);
