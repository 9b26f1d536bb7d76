using TinyTrain.Data;

namespace TinyTrain.Tests.Runtime.Training;

/// <summary>
/// A small labelled image set any working fine-tuning separates: dark, bright and striped greyscale images (class
/// 0, 1, 2 in turn), each with its own brightness, stripe period and phase, and pixel noise, from a seed.
/// </summary>
public sealed class SeparableImages : LabelledDataset
{
    private readonly byte[][] images;

    public SeparableImages(int perClass, int side = 48, int seed = 1)
    {
        Side = side;
        var random = new Random(seed);
        images = new byte[perClass * 3][];
        for (var i = 0; i < images.Length; i++)
        {
            var pixels = new byte[side * side];
            var (low, high) = (random.Next(20, 70), random.Next(180, 235));
            var (period, phase) = (random.Next(6, 13), random.Next(0, 12));
            for (var y = 0; y < side; y++)
            {
                for (var x = 0; x < side; x++)
                {
                    var value = (i % 3) switch
                    {
                        0 => low,
                        1 => high,
                        _ => (y + phase) % period < period / 2 ? low : high,
                    };
                    pixels[y * side + x] = (byte)Math.Clamp(value + random.Next(-15, 16), 0, 255);
                }
            }
            images[i] = pixels;
        }
    }

    public int Side { get; }

    public override string Name => "dark-bright-striped";

    public override int Count => images.Length;

    /// <summary>Named so that an image folder's ordinal order of class folders is this order.</summary>
    public override string[] ClassNames => ["0-dark", "1-bright", "2-striped"];

    public override int Label(int index)
    {
        CheckIndex(index);
        return index % 3;
    }

    public override Image8 LoadImage(int index)
    {
        CheckIndex(index);
        return new Image8(Side, Side, 1, images[index]);
    }

    /// <summary>Writes the images as 8-bit BMPs into root/&lt;class&gt;/, an image folder `train -d` reads.</summary>
    public void WriteFolder(string root)
    {
        for (var c = 0; c < 3; c++) Directory.CreateDirectory(Path.Combine(root, ClassNames[c]));
        for (var i = 0; i < Count; i++)
            File.WriteAllBytes(Path.Combine(root, ClassNames[i % 3], $"{i:D4}.bmp"), GreyBmp(Side, images[i]));
    }

    private static byte[] GreyBmp(int side, byte[] pixels)
    {
        var stride = (side + 3) / 4 * 4;
        var offset = 14 + 40 + 256 * 4;
        var bmp = new byte[offset + stride * side];
        void Int(int at, int value) => BitConverter.TryWriteBytes(bmp.AsSpan(at), value);
        (bmp[0], bmp[1]) = ((byte)'B', (byte)'M');
        Int(2, bmp.Length);
        Int(10, offset);
        Int(14, 40);
        Int(18, side);
        Int(22, side);
        BitConverter.TryWriteBytes(bmp.AsSpan(26), (short)1);
        BitConverter.TryWriteBytes(bmp.AsSpan(28), (short)8);
        Int(46, 256);
        for (var i = 0; i < 256; i++) bmp[54 + 4 * i] = bmp[55 + 4 * i] = bmp[56 + 4 * i] = (byte)i;
        for (var y = 0; y < side; y++) pixels.AsSpan(y * side, side).CopyTo(bmp.AsSpan(offset + (side - 1 - y) * stride)); // bottom-up rows
        return bmp;
    }
}
