using TinyTrain.Data;

namespace TinyTrain.Tests.Data;

public class PngDecoderTests
{
    [Theory]
    [InlineData(0)] [InlineData(1)] [InlineData(2)] [InlineData(3)] [InlineData(4)]
    [InlineData(5)] [InlineData(6)] [InlineData(7)] [InlineData(8)] [InlineData(9)]
    public void MnistSamples_Are28x28Grey(int n)
    {
        var img = ImageFile.Load(TestData.Path("tflite-micro", "mnist_lstm", "samples", $"sample{n}.png"));
        Assert.Equal((28, 28, 1), (img.Width, img.Height, img.Channels));
        // A digit: black corners, some bright ink.
        Assert.Equal(0, img[0, 0] + img[27, 0] + img[0, 27] + img[27, 27]);
        Assert.True(img.Pixels.Max() > 200);
        Assert.InRange(img.Pixels.Count(p => p > 128), 20, 400);
    }

    [Fact]
    public void OpencvDigits_Is2000x1000()
    {
        var img = ImageFile.Load(TestData.Path("debian", "opencv_digits.png"));
        Assert.Equal((2000, 1000, 1), (img.Width, img.Height, img.Channels));
        Assert.True(img.Pixels.Max() > 200);
    }

    static byte[][] Rows(int height, int rowBytes, int seed)
    {
        var rnd = new Random(seed);
        var rows = new byte[height][];
        for (int y = 0; y < height; y++) { rows[y] = new byte[rowBytes]; rnd.NextBytes(rows[y]); }
        return rows;
    }

    [Theory]
    [InlineData(0)] [InlineData(1)] [InlineData(2)] [InlineData(3)] [InlineData(4)]
    public void HandBuilt_EachFilter_Grey8_And_Rgb8(int filter)
    {
        var grey = Rows(5, 7, filter);
        var g = PngDecoder.Decode(Builders.Png(7, 5, 8, 0, grey, [filter]), "g.png");
        Assert.Equal((7, 5, 1), (g.Width, g.Height, g.Channels));
        Assert.Equal(grey.SelectMany(r => r).ToArray(), g.Pixels);

        var rgb = Rows(4, 6 * 3, 10 + filter);
        var c = PngDecoder.Decode(Builders.Png(6, 4, 8, 2, rgb, [filter]), "c.png");
        Assert.Equal((6, 4, 3), (c.Width, c.Height, c.Channels));
        Assert.Equal(rgb.SelectMany(r => r).ToArray(), c.Pixels);
    }

    [Fact]
    public void Paeth_TieBreaksPreferBThenC()
    {
        // Pixel (1,1): a=110, b=80, c=100 -> p=90, pa=20, pb=pc=10: the predictor must be b (80), not c.
        // Pixel (1,0) of row 0: a=100, b=c=0 -> pa=0 wins.
        byte[][] rows = [[100, 80], [110, 37]];
        var img = PngDecoder.Decode(Builders.Png(2, 2, 8, 0, rows, [4]), "t.png");
        Assert.Equal([100, 80, 110, 37], img.Pixels);
    }

    [Fact]
    public void HandBuilt_MixedFilters_SplitIdat_Rgba_DropsAlpha()
    {
        var rows = Rows(6, 5 * 4, 42);
        var img = PngDecoder.Decode(Builders.Png(5, 6, 8, 6, rows, [4, 3, 2, 1, 0], idatChunks: 3), "a.png");
        var expected = rows.SelectMany(r => r).Where((_, i) => i % 4 != 3).ToArray();
        Assert.Equal((5, 6, 3), (img.Width, img.Height, img.Channels));
        Assert.Equal(expected, img.Pixels);
    }

    [Fact]
    public void GreyAlpha8_And_Grey16_KeepGreyHighByte()
    {
        var ga = Rows(3, 4 * 2, 1);
        var img = PngDecoder.Decode(Builders.Png(4, 3, 8, 4, ga, [1, 4]), "ga.png");
        Assert.Equal(ga.SelectMany(r => r).Where((_, i) => i % 2 == 0).ToArray(), img.Pixels);

        var g16 = Rows(3, 4 * 2, 2);
        var img16 = PngDecoder.Decode(Builders.Png(4, 3, 16, 0, g16, [3, 4]), "g16.png");
        Assert.Equal(g16.SelectMany(r => r).Where((_, i) => i % 2 == 0).ToArray(), img16.Pixels);
    }

    [Fact]
    public void Grey1And2Bit_AreScaledTo255()
    {
        // 1-bit, width 10: bits 1011000011 | 01 + 6 pad bits.
        var img1 = PngDecoder.Decode(Builders.Png(10, 1, 1, 0, [[0b10110000, 0b11010000]], [0]), "b.png");
        Assert.Equal([255, 0, 255, 255, 0, 0, 0, 0, 255, 255], img1.Pixels);
        var img2 = PngDecoder.Decode(Builders.Png(3, 1, 2, 0, [[0b00011011]], [1]), "b.png");
        Assert.Equal([0, 85, 170], img2.Pixels);
    }

    [Fact]
    public void Palette4Bit_ColourAndGrey()
    {
        byte[] plte = [255, 0, 0, 0, 255, 0, 0, 0, 255];
        var img = PngDecoder.Decode(Builders.Png(3, 1, 4, 3, [[0x21, 0x00]], [0], plte), "p.png");
        Assert.Equal((3, 1, 3), (img.Width, img.Height, img.Channels));
        Assert.Equal([0, 0, 255, 0, 255, 0, 255, 0, 0], img.Pixels);

        byte[] greyPlte = [10, 10, 10, 20, 20, 20];
        var g = PngDecoder.Decode(Builders.Png(2, 1, 8, 3, [[1, 0]], [2], greyPlte), "p.png");
        Assert.Equal((2, 1, 1), (g.Width, g.Height, g.Channels));
        Assert.Equal([20, 10], g.Pixels);
        Assert.Throws<DataFormatException>(() => PngDecoder.Decode(Builders.Png(2, 1, 8, 3, [[2, 0]], [0], greyPlte), "p.png"));
    }

    [Fact]
    public void Interlaced_IsAClearError()
    {
        var bytes = Builders.Png(2, 2, 8, 0, [[1, 2], [3, 4]], [0], interlace: 1);
        var ex = Assert.Throws<DataFormatException>(() => PngDecoder.Decode(bytes, "i.png"));
        Assert.Equal("i.png: interlaced (Adam7) PNG is not supported", ex.Message);
    }

    [Fact]
    public void BadCrc_IsDetected_UnlessDisabled()
    {
        var bytes = Builders.Png(2, 1, 8, 0, [[1, 2]], [0]);
        bytes[^1] ^= 0xFF; // IEND's CRC is the last 4 bytes
        Assert.Contains("CRC", Assert.Throws<DataFormatException>(() => PngDecoder.Decode(bytes, "c.png")).Message);
        Assert.Equal([1, 2], PngDecoder.Decode(bytes, "c.png", verifyCrc: false).Pixels);
    }
}
