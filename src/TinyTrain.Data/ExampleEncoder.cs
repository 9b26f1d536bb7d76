namespace TinyTrain.Data;

/// <summary>
/// Training augmentation: a random crop covering a <c>[MinScale, MaxScale]</c> fraction of the image area with
/// aspect ratio (w/h relative to the image's) r or 1/r, r uniform in [1, MaxAspect] (like RandomResizedCrop, but
/// only +,*,/,sqrt so results are bit-identical everywhere), at a uniform position, resized to the model input;
/// then a horizontal flip with probability 1/2 if <see cref="Flip"/>.
/// </summary>
public sealed record AugmentOptions(double MinScale = 0.8, double MaxScale = 1.0, double MaxAspect = 4.0 / 3.0, bool Flip = true)
{
    public static AugmentOptions Default { get; } = new();
}

/// <summary>The source rectangle (X, Y, Width, Height) an example is cropped to, and whether the output is mirrored.</summary>
public readonly record struct CropParams(int X, int Y, int Width, int Height, bool Flip);

/// <summary>
/// Encodes images into the model's int8 HWC input, like <see cref="InputEncoder"/> (bit-identical without
/// augmentation: same bilinear resize, then channel conversion, then pixel encoding), fused into one pass with
/// no allocation per example. Not thread-safe: use one encoder per thread.
/// </summary>
public sealed class ExampleEncoder
{
    const int WeightBits = 11, One = 1 << WeightBits;
    readonly int[] _x0, _x1, _wx, _y0, _y1, _wy; // resize taps, reused

    public int Height { get; }
    public int Width { get; }
    public int Channels { get; }
    public PixelEncoding Encoding { get; }
    public AugmentOptions Augment { get; }
    /// <summary>Elements per encoded example (H*W*C).</summary>
    public int Size => Height * Width * Channels;

    public ExampleEncoder(int height, int width, int channels, PixelEncoding encoding = PixelEncoding.Offset, AugmentOptions? augment = null)
    {
        if (height <= 0 || height > Image8.MaxSide) throw new ArgumentOutOfRangeException(nameof(height), height, $"must be 1..{Image8.MaxSide}");
        if (width <= 0 || width > Image8.MaxSide) throw new ArgumentOutOfRangeException(nameof(width), width, $"must be 1..{Image8.MaxSide}");
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "must be 1 or 3");
        if (encoding is not (PixelEncoding.Offset or PixelEncoding.Raw)) throw new ArgumentOutOfRangeException(nameof(encoding));
        augment ??= AugmentOptions.Default;
        if (!(augment.MinScale > 0 && augment.MinScale <= augment.MaxScale && augment.MaxScale <= 1) || !(augment.MaxAspect >= 1))
            throw new ArgumentOutOfRangeException(nameof(augment), $"{augment}: need 0 < MinScale <= MaxScale <= 1 and MaxAspect >= 1");
        (Height, Width, Channels, Encoding, Augment) = (height, width, channels, encoding, augment);
        (_x0, _x1, _wx) = (new int[width], new int[width], new int[width]);
        (_y0, _y1, _wy) = (new int[height], new int[height], new int[height]);
    }

    /// <summary>Same as <see cref="InputEncoder.Encode(Image8,int,int,int,PixelEncoding,Span{sbyte})"/>.</summary>
    public void Encode(ImageView img, Span<sbyte> destination) =>
        Encode(img, new CropParams(0, 0, img.Width, img.Height, false), destination);

    public void Encode(Image8 img, Span<sbyte> destination) => Encode(new ImageView(img), destination);

    /// <summary>Augmented encoding; the crop and flip depend only on (seed, epoch, index), see <see cref="AugmentParams"/>.</summary>
    public void EncodeAugmented(ImageView img, ulong seed, int epoch, int index, Span<sbyte> destination) =>
        Encode(img, AugmentParams(img.Width, img.Height, seed, epoch, index), destination);

    /// <summary>The random crop and flip for one example of a <paramref name="width"/> x <paramref name="height"/> image.</summary>
    public CropParams AugmentParams(int width, int height, ulong seed, int epoch, int index)
    {
        var rng = SplitMix64.For(seed, Sampler.AugmentStream, epoch, index);
        var a = Augment;
        double scale = a.MinScale + (a.MaxScale - a.MinScale) * rng.NextDouble();
        double r = 1 + (a.MaxAspect - 1) * rng.NextDouble();
        if ((rng.Next() & 1) != 0) r = 1 / r;
        int w = Math.Clamp((int)Math.Round(width * Math.Sqrt(scale * r), MidpointRounding.AwayFromZero), 1, width);
        int h = Math.Clamp((int)Math.Round(height * Math.Sqrt(scale / r), MidpointRounding.AwayFromZero), 1, height);
        int x = rng.NextInt(width - w + 1), y = rng.NextInt(height - h + 1);
        bool flip = a.Flip && (rng.Next() & 1) != 0;
        return new CropParams(x, y, w, h, flip);
    }

    /// <summary>
    /// Crops <paramref name="img"/> to <paramref name="crop"/>, resizes it to the input size (as <see cref="ImageOps.Resize"/>),
    /// converts channels (as <see cref="ImageOps.ToChannels"/>), encodes, and mirrors columns if crop.Flip.
    /// </summary>
    public void Encode(ImageView img, CropParams crop, Span<sbyte> destination)
    {
        if (destination.Length != Size)
            throw new ArgumentException($"destination has {destination.Length} elements, {Height}x{Width}x{Channels} needs {Size}", nameof(destination));
        if (crop.X < 0 || crop.Y < 0 || crop.Width <= 0 || crop.Height <= 0 || crop.X + (long)crop.Width > img.Width || crop.Y + (long)crop.Height > img.Height)
            throw new ArgumentOutOfRangeException(nameof(crop), $"{crop} outside {img.Width}x{img.Height}");
        Taps(crop.Width, Width, crop.X, _x0, _x1, _wx);
        Taps(crop.Height, Height, crop.Y, _y0, _y1, _wy);
        int sc = img.Channels, oc = Channels, stride = img.Width * sc;
        int bias = Encoding == PixelEncoding.Offset ? 128 : 0;
        ReadOnlySpan<byte> src = img.Pixels;
        Span<int> v = stackalloc int[3];
        for (int y = 0; y < Height; y++)
        {
            int r0 = _y0[y] * stride, r1 = _y1[y] * stride, b = _wy[y], a = One - b;
            int o = y * Width * oc;
            for (int x = 0; x < Width; x++)
            {
                int p0 = _x0[x] * sc, p1 = _x1[x] * sc, f = _wx[x], e = One - f;
                for (int c = 0; c < sc; c++)
                {
                    int top = src[r0 + p0 + c] * e + src[r0 + p1 + c] * f;
                    int bottom = src[r1 + p0 + c] * e + src[r1 + p1 + c] * f;
                    v[c] = (top * a + bottom * b + (1 << (2 * WeightBits - 1))) >> (2 * WeightBits);
                }
                int d = o + (crop.Flip ? Width - 1 - x : x) * oc;
                if (oc == sc)
                    for (int c = 0; c < oc; c++) destination[d + c] = unchecked((sbyte)(v[c] - bias));
                else if (oc == 3)
                    destination[d] = destination[d + 1] = destination[d + 2] = unchecked((sbyte)(v[0] - bias));
                else
                    destination[d] = unchecked((sbyte)((299 * v[0] + 587 * v[1] + 114 * v[2] + 500) / 1000 - bias));
            }
        }
    }

    /// <summary>As ImageOps' taps (half-pixel centres, 11-bit weights), for a source span starting at <paramref name="offset"/>.</summary>
    static void Taps(int srcSize, int dstSize, int offset, int[] i0, int[] i1, int[] w)
    {
        long den = 2L * dstSize;
        for (int d = 0; d < dstSize; d++)
        {
            long num = (2L * d + 1) * srcSize - dstSize; // src position = num / den
            int a = 0, b = 0, wt = 0;
            if (num > 0)
            {
                long q = num / den, r = num % den;
                if (q >= srcSize - 1) a = b = srcSize - 1;
                else { a = (int)q; b = a + 1; wt = (int)((r * One + den / 2) / den); }
            }
            i0[d] = a + offset; i1[d] = b + offset; w[d] = wt;
        }
    }
}
