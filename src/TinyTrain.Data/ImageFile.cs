namespace TinyTrain.Data;

/// <summary>Loads a BMP or PNG image, chosen by its magic bytes.</summary>
public static class ImageFile
{
    /// <summary>Reads and decodes <paramref name="path"/>; corrupt or unknown files throw <see cref="DataFormatException"/>.</summary>
    public static Image8 Load(string path) => Decode(File.ReadAllBytes(path), path);

    /// <summary>Decodes file bytes; <paramref name="name"/> is used in error messages.</summary>
    public static Image8 Decode(ReadOnlySpan<byte> data, string name)
    {
        if (data.Length == 0) throw new DataFormatException(name, "empty file");
        if (BmpDecoder.IsBmp(data)) return BmpDecoder.Decode(data, name);
        if (PngDecoder.IsPng(data)) return PngDecoder.Decode(data, name);
        string magic = Convert.ToHexString(data[..Math.Min(4, data.Length)]);
        throw new DataFormatException(name, $"unknown image format (starts with 0x{magic}; expected BMP or PNG)");
    }
}
