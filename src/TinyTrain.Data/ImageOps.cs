namespace TinyTrain.Data;

/// <summary>Resizing, channel conversion and cropping of <see cref="Image8"/>.</summary>
public static class ImageOps
{
    const int WeightBits = 11, One = 1 << WeightBits; // 11-bit fixed-point weights, as OpenCV's 8-bit INTER_LINEAR

    /// <summary>
    /// Bilinear resize with half-pixel centres (src = (dst + 0.5) * srcSize / dstSize - 0.5, clamped at the edges)
    /// and no antialiasing, like OpenCV INTER_LINEAR. All integer math: source positions are exact rationals, each
    /// axis weight is rounded to 1/2048, and the result is (sum of p * wx * wy + 2^21) >> 22. Same size returns the input.
    /// </summary>
    public static Image8 Resize(Image8 img, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(img);
        CheckSide(width, nameof(width));
        CheckSide(height, nameof(height));
        if (width == img.Width && height == img.Height) return img;
        var (x0, x1, wx) = Taps(img.Width, width);
        var (y0, y1, wy) = Taps(img.Height, height);
        int c = img.Channels, srcStride = img.Width * c;
        byte[] src = img.Pixels, dst = new byte[(long)width * height * c];
        for (int y = 0; y < height; y++)
        {
            int r0 = y0[y] * srcStride, r1 = y1[y] * srcStride, b = wy[y], a = One - b;
            int o = y * width * c;
            for (int x = 0; x < width; x++)
            {
                int p0 = x0[x] * c, p1 = x1[x] * c, f = wx[x], e = One - f;
                for (int ch = 0; ch < c; ch++)
                {
                    int top = src[r0 + p0 + ch] * e + src[r0 + p1 + ch] * f;
                    int bottom = src[r1 + p0 + ch] * e + src[r1 + p1 + ch] * f;
                    dst[o++] = (byte)((top * a + bottom * b + (1 << (2 * WeightBits - 1))) >> (2 * WeightBits));
                }
            }
        }
        return new Image8(width, height, c, dst);
    }

    /// <summary>For each output index: the two source indices and the weight (0..2048) of the second.</summary>
    static (int[] I0, int[] I1, int[] W) Taps(int srcSize, int dstSize)
    {
        var i0 = new int[dstSize]; var i1 = new int[dstSize]; var w = new int[dstSize];
        long den = 2L * dstSize;
        for (int d = 0; d < dstSize; d++)
        {
            long num = (2L * d + 1) * srcSize - dstSize; // src position = num / den
            if (num <= 0) continue; // left edge: index 0, weight 0
            long q = num / den, r = num % den;
            if (q >= srcSize - 1) { i0[d] = i1[d] = srcSize - 1; continue; }
            i0[d] = (int)q; i1[d] = (int)q + 1;
            w[d] = (int)((r * One + den / 2) / den);
        }
        return (i0, i1, w);
    }

    /// <summary>Grey to RGB replicates; RGB to grey is round(0.299 R + 0.587 G + 0.114 B), exact integer math.</summary>
    public static Image8 ToChannels(Image8 img, int channels)
    {
        ArgumentNullException.ThrowIfNull(img);
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "must be 1 or 3");
        if (channels == img.Channels) return img;
        int n = img.Width * img.Height;
        byte[] s = img.Pixels, d = new byte[(long)n * channels];
        if (channels == 3)
            for (int i = 0; i < n; i++) d[3 * i] = d[3 * i + 1] = d[3 * i + 2] = s[i];
        else
            for (int i = 0; i < n; i++) d[i] = (byte)((299 * s[3 * i] + 587 * s[3 * i + 1] + 114 * s[3 * i + 2] + 500) / 1000);
        return new Image8(img.Width, img.Height, channels, d);
    }

    /// <summary>The <paramref name="width"/> x <paramref name="height"/> rectangle whose top-left corner is (x, y).</summary>
    public static Image8 Crop(Image8 img, int x, int y, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(img);
        if (x < 0 || y < 0 || width <= 0 || height <= 0 || x + (long)width > img.Width || y + (long)height > img.Height)
            throw new ArgumentOutOfRangeException(nameof(x), $"crop ({x},{y}) {width}x{height} outside {img.Width}x{img.Height}");
        if (width == img.Width && height == img.Height) return img;
        int c = img.Channels;
        var d = new byte[(long)width * height * c];
        for (int r = 0; r < height; r++)
            Array.Copy(img.Pixels, ((y + r) * img.Width + x) * c, d, r * width * c, width * c);
        return new Image8(width, height, c, d);
    }

    /// <summary>The centred <paramref name="width"/> x <paramref name="height"/> crop (offsets rounded down).</summary>
    public static Image8 CenterCrop(Image8 img, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(img);
        return Crop(img, (img.Width - width) / 2, (img.Height - height) / 2, width, height);
    }

    /// <summary>The largest centred crop with aspect ratio <paramref name="aspectWidth"/>:<paramref name="aspectHeight"/>.</summary>
    public static Image8 CenterCropToAspect(Image8 img, int aspectWidth, int aspectHeight)
    {
        ArgumentNullException.ThrowIfNull(img);
        if (aspectWidth <= 0 || aspectHeight <= 0) throw new ArgumentOutOfRangeException(nameof(aspectWidth), "aspect must be positive");
        long w = img.Width, h = (long)img.Width * aspectHeight / aspectWidth;
        if (h > img.Height) { h = img.Height; w = (long)img.Height * aspectWidth / aspectHeight; }
        return CenterCrop(img, (int)Math.Max(1, w), (int)Math.Max(1, h));
    }

    static void CheckSide(int v, string name)
    {
        if (v <= 0 || v > Image8.MaxSide) throw new ArgumentOutOfRangeException(name, v, $"must be 1..{Image8.MaxSide}");
    }
}
