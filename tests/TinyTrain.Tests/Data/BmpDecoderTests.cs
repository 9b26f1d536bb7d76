using System.Buffers.Binary;
using TinyTrain.Data;

namespace TinyTrain.Tests.Data;

public class BmpDecoderTests
{
    [Theory]
    [InlineData("person.bmp")]
    [InlineData("no_person.bmp")]
    public void PersonDetectionBmp_DecodesTopRowFirst(string file)
    {
        string path = TestData.Path("tflite-micro", "person_detection", file);
        byte[] bytes = File.ReadAllBytes(path);
        var img = ImageFile.Load(path);
        Assert.Equal((96, 96, 1), (img.Width, img.Height, img.Channels));

        // Independently: the pixel data starts at the offset in the file header; rows are bottom-up and padded to 4.
        int offset = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(10));
        int width = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(18));
        int height = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(22));
        Assert.True(height > 0, "expected a bottom-up BMP");
        int stride = (width + 3) / 4 * 4;
        int topRowInFile = offset + (height - 1) * stride;
        Assert.NotEqual(bytes[offset], bytes[topRowInFile]); // so a row flip would be caught
        Assert.Equal(bytes[topRowInFile], img.Pixels[0]);
        Assert.Equal(bytes[offset], img.Pixels[(height - 1) * width]); // bottom-left pixel
        for (int y = 0; y < height; y++)
            Assert.Equal(bytes.AsSpan(offset + (height - 1 - y) * stride, width).ToArray(), img.Pixels.AsSpan(y * width, width).ToArray());
    }

    [Fact]
    public void Bgr24_BottomUp_2x2()
    {
        // Display: top = red, green; bottom = blue, white. Stored bottom row first, 6 bytes padded to 8.
        byte[] bottom = [255, 0, 0, 255, 255, 255], top = [0, 0, 255, 0, 255, 0];
        var img = BmpDecoder.Decode(Builders.Bmp(2, 2, 24, [bottom, top]), "t.bmp");
        Assert.Equal((2, 2, 3), (img.Width, img.Height, img.Channels));
        Assert.Equal([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255], img.Pixels);
    }

    [Fact]
    public void Bgr24_TopDown_NegativeHeight()
    {
        byte[] top = [0, 0, 255, 0, 255, 0], bottom = [255, 0, 0, 255, 255, 255];
        var img = BmpDecoder.Decode(Builders.Bmp(2, -2, 24, [top, bottom]), "t.bmp");
        Assert.Equal([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255], img.Pixels);
    }

    [Fact]
    public void Palette8_3x2_RowPadding_GreyPaletteGivesOneChannel()
    {
        // 3-byte rows padded to 4; a non-identity grey palette (value = 255 - index) must be applied.
        var pal = new byte[256 * 4];
        for (int i = 0; i < 256; i++) pal[4 * i] = pal[4 * i + 1] = pal[4 * i + 2] = (byte)(255 - i);
        var img = BmpDecoder.Decode(Builders.Bmp(3, 2, 8, [[4, 5, 6], [1, 2, 3]], pal), "t.bmp");
        Assert.Equal((3, 2, 1), (img.Width, img.Height, img.Channels));
        Assert.Equal([254, 253, 252, 251, 250, 249], img.Pixels);
    }

    [Fact]
    public void Palette8_ColourPaletteGivesRgb()
    {
        byte[] pal = [0, 0, 255, 0, /* red */ 0, 255, 0, 0, /* green */ 255, 0, 0, 0 /* blue */];
        var img = BmpDecoder.Decode(Builders.Bmp(3, 1, 8, [[2, 0, 1]], pal), "t.bmp");
        Assert.Equal((3, 1, 3), (img.Width, img.Height, img.Channels));
        Assert.Equal([0, 0, 255, 255, 0, 0, 0, 255, 0], img.Pixels);
    }

    [Fact]
    public void Palette8_IndexBeyondPalette_Throws()
    {
        var ex = Assert.Throws<DataFormatException>(() => BmpDecoder.Decode(Builders.Bmp(1, 1, 8, [[9]], Builders.GreyPalette(4)), "p.bmp"));
        Assert.Contains("p.bmp", ex.Message);
    }

    [Fact]
    public void Bgra32_DropsAlpha()
    {
        var img = BmpDecoder.Decode(Builders.Bmp(2, 1, 32, [[1, 2, 3, 99, 4, 5, 6, 0]]), "t.bmp");
        Assert.Equal([3, 2, 1, 6, 5, 4], img.Pixels);
    }

    [Fact]
    public void Bitfields32_V5Header_HonoursMasks()
    {
        // Masks R=0x0000FF00, G=0x00FF0000, B=0xFF000000 (not the default BGRA layout).
        uint[] masks = [0x0000FF00, 0x00FF0000, 0xFF000000];
        var img = BmpDecoder.Decode(Builders.Bmp(1, 1, 32, [[7, 10, 20, 30]], headerSize: 124, compression: 3, masks: masks), "t.bmp");
        Assert.Equal([10, 20, 30], img.Pixels);
        var img40 = BmpDecoder.Decode(Builders.Bmp(1, 1, 32, [[7, 10, 20, 30]], compression: 3, masks: masks), "t.bmp");
        Assert.Equal([10, 20, 30], img40.Pixels);
    }

    [Theory]
    [InlineData(24, 1u, "compress")]  // BI_RLE8 flag on a 24-bit image
    [InlineData(16, 0u, "bit depth")]
    public void Unsupported_ThrowsWithReason(int bpp, uint compression, string reason)
    {
        var bytes = Builders.Bmp(1, 1, bpp, [new byte[4]], compression: compression);
        var ex = Assert.Throws<DataFormatException>(() => BmpDecoder.Decode(bytes, "u.bmp"));
        Assert.Contains(reason, ex.Message);
        Assert.StartsWith("u.bmp: ", ex.Message);
    }
}
