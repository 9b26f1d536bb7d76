using TinyTrain.Data;

namespace TinyTrain.Tests.Data;

public class ImageOpsTests
{
    static Image8 Random(int w, int h, int c, int seed)
    {
        var px = new byte[w * h * c];
        new Random(seed).NextBytes(px);
        return new Image8(w, h, c, px);
    }

    [Fact]
    public void Resize_SameSize_IsIdentity()
    {
        var img = Random(5, 4, 3, 1);
        var copy = img.Pixels.ToArray();
        var r = ImageOps.Resize(img, 5, 4);
        Assert.Equal(copy, r.Pixels);
        Assert.Equal((5, 4, 3), (r.Width, r.Height, r.Channels));
    }

    [Theory]
    [InlineData(7, 5, 13, 3)]
    [InlineData(96, 96, 32, 32)]
    [InlineData(3, 3, 100, 1)]
    public void Resize_ConstantStaysConstant(int w, int h, int nw, int nh)
    {
        var img = new Image8(w, h, 3, Enumerable.Repeat((byte)173, w * h * 3).ToArray());
        var r = ImageOps.Resize(img, nw, nh);
        Assert.Equal((nw, nh, 3), (r.Width, r.Height, r.Channels));
        Assert.All(r.Pixels, p => Assert.Equal(173, p));
    }

    [Fact]
    public void Resize_HalfPixelCentres_Ramp()
    {
        // Upscale 2 -> 4: sample positions -0.25 (clamped), 0.25, 0.75, 1.25 (clamped).
        var up = ImageOps.Resize(new Image8(2, 1, 1, [0, 200]), 4, 1);
        Assert.Equal([0, 50, 150, 200], up.Pixels);
        // Vertical axis works the same way.
        var col = ImageOps.Resize(new Image8(1, 2, 1, [0, 200]), 1, 4);
        Assert.Equal([0, 50, 150, 200], col.Pixels);
        // Downscale 4 -> 2: positions 0.5 and 2.5 (no antialias); 227.5 rounds up.
        var down = ImageOps.Resize(new Image8(4, 1, 1, [0, 100, 200, 255]), 2, 1);
        Assert.Equal([50, 228], down.Pixels);
    }

    [Fact]
    public void Resize_Bilinear2D()
    {
        // 2x2 -> 4x4: the centre 2x2 block samples (0.25, 0.75) on each axis.
        var r = ImageOps.Resize(new Image8(2, 2, 1, [0, 100, 100, 200]), 4, 4);
        Assert.Equal(0, r[0, 0]);
        Assert.Equal(200, r[3, 3]);
        Assert.Equal(50, r[1, 1]);   // 0.75*0.75*0 + 2*0.1875*100 + 0.0625*200
        Assert.Equal(150, r[2, 2]);
        Assert.Equal(100, r[1, 2]);
    }

    [Fact]
    public void ToChannels_GreyToRgbAndBack()
    {
        var grey = new Image8(2, 1, 1, [7, 250]);
        var rgb = ImageOps.ToChannels(grey, 3);
        Assert.Equal([7, 7, 7, 250, 250, 250], rgb.Pixels);
        Assert.Equal(grey.Pixels, ImageOps.ToChannels(rgb, 1).Pixels);

        var colours = new Image8(4, 1, 3, [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]);
        // 76.245, 149.685, 29.07, 18.15
        Assert.Equal([76, 150, 29, 18], ImageOps.ToChannels(colours, 1).Pixels);
    }

    [Fact]
    public void Crop_And_CenterCrop()
    {
        var img = new Image8(4, 3, 1, [.. Enumerable.Range(0, 12).Select(i => (byte)i)]);
        Assert.Equal([5, 6, 9, 10], ImageOps.Crop(img, 1, 1, 2, 2).Pixels);
        Assert.Equal([1, 2, 5, 6], ImageOps.CenterCrop(img, 2, 2).Pixels);
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageOps.Crop(img, 3, 0, 2, 1));

        var square = ImageOps.CenterCropToAspect(img, 1, 1);
        Assert.Equal((3, 3), (square.Width, square.Height));
        Assert.Equal([0, 1, 2, 4, 5, 6, 8, 9, 10], square.Pixels);
        var wide = ImageOps.CenterCropToAspect(img, 4, 1);
        Assert.Equal((4, 1), (wide.Width, wide.Height));
        Assert.Equal([4, 5, 6, 7], wide.Pixels);
    }
}
