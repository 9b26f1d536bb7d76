namespace TinyTrain.Data;

/// <summary>
/// An 8-bit image, HWC, top row first, 1 (grey) or 3 (RGB) channels.
/// The constructor takes ownership of <paramref name="pixels"/>; treat <see cref="Pixels"/> as read-only.
/// </summary>
public sealed class Image8
{
    /// <summary>Largest accepted width or height.</summary>
    public const int MaxSide = 16384;

    public int Width { get; }
    public int Height { get; }
    public int Channels { get; }
    public byte[] Pixels { get; }

    public Image8(int width, int height, int channels, byte[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (width <= 0 || width > MaxSide) throw new ArgumentOutOfRangeException(nameof(width), width, $"must be 1..{MaxSide}");
        if (height <= 0 || height > MaxSide) throw new ArgumentOutOfRangeException(nameof(height), height, $"must be 1..{MaxSide}");
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "must be 1 or 3");
        if (pixels.LongLength != (long)width * height * channels)
            throw new ArgumentException($"pixel buffer has {pixels.LongLength} bytes, expected {(long)width * height * channels}", nameof(pixels));
        Width = width;
        Height = height;
        Channels = channels;
        Pixels = pixels;
    }

    /// <summary>Sample at column x, row y (0 = top), channel c.</summary>
    public byte this[int x, int y, int c = 0]
    {
        get
        {
            if ((uint)x >= (uint)Width || (uint)y >= (uint)Height || (uint)c >= (uint)Channels)
                throw new ArgumentOutOfRangeException(nameof(x), $"({x},{y},{c}) outside {Width}x{Height}x{Channels}");
            return Pixels[((long)y * Width + x) * Channels + c];
        }
    }

    public override string ToString() => $"Image8 {Width}x{Height}x{Channels}";
}
