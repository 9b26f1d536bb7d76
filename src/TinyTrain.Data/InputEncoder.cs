namespace TinyTrain.Data;

/// <summary>How 8-bit pixels become int8 model inputs.</summary>
public enum PixelEncoding
{
    /// <summary>q = pixel - 128: an ordinary 8-bit image spans the int8 range (TFLM examples, the paper's demo).</summary>
    Offset,
    /// <summary>q = (sbyte)pixel: the bytes already hold int8 values (e.g. person.bmp).</summary>
    Raw,
}

/// <summary>Turns an <see cref="Image8"/> into an HWC int8 input tensor.</summary>
public static class InputEncoder
{
    /// <summary>
    /// Resizes (only if the size differs, <see cref="ImageOps.Resize"/>), then converts channels
    /// (<see cref="ImageOps.ToChannels"/>), then encodes into <paramref name="destination"/> (exactly H*W*C, HWC).
    /// </summary>
    public static void Encode(Image8 img, int height, int width, int channels, PixelEncoding enc, Span<sbyte> destination)
    {
        ArgumentNullException.ThrowIfNull(img);
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "must be 1 or 3");
        long need = (long)height * width * channels;
        if (height <= 0 || width <= 0 || destination.Length != need)
            throw new ArgumentException($"destination has {destination.Length} elements, {height}x{width}x{channels} needs {need}", nameof(destination));
        var src = ImageOps.ToChannels(ImageOps.Resize(img, width, height), channels).Pixels;
        switch (enc)
        {
            case PixelEncoding.Offset:
                for (int i = 0; i < src.Length; i++) destination[i] = (sbyte)(src[i] - 128);
                break;
            case PixelEncoding.Raw:
                for (int i = 0; i < src.Length; i++) destination[i] = unchecked((sbyte)src[i]);
                break;
            default: throw new ArgumentOutOfRangeException(nameof(enc), enc, null);
        }
    }

    /// <summary>As <see cref="Encode(Image8,int,int,int,PixelEncoding,Span{sbyte})"/>, into a new array.</summary>
    public static sbyte[] Encode(Image8 img, int height, int width, int channels, PixelEncoding enc)
    {
        var dst = new sbyte[checked(height * width * channels)];
        Encode(img, height, width, channels, enc, dst);
        return dst;
    }
}
