using TinyTrain.Data;

namespace TinyTrain.Tests.Data;

public class InputEncoderTests
{
    [Fact]
    public void Offset_SubtractsOneTwentyEight()
    {
        var img = new Image8(4, 1, 1, [0, 128, 255, 1]);
        Assert.Equal([-128, 0, 127, -127], InputEncoder.Encode(img, 1, 4, 1, PixelEncoding.Offset));
    }

    [Fact]
    public void Raw_ReinterpretsBytes()
    {
        var img = new Image8(4, 1, 1, [0x80, 0x7F, 0xFF, 0x00]);
        Assert.Equal([-128, 127, -1, 0], InputEncoder.Encode(img, 1, 4, 1, PixelEncoding.Raw));
    }

    [Fact]
    public void PersonBmp_Raw_IsTheDisplayOrderFileBytes()
    {
        var img = ImageFile.Load(TestData.Path("tflite-micro", "person_detection", "person.bmp"));
        var q = new sbyte[96 * 96];
        InputEncoder.Encode(img, 96, 96, 1, PixelEncoding.Raw, q);
        Assert.Equal(img.Pixels.Select(p => unchecked((sbyte)p)), q);
        Assert.Equal(0x0b, q[0]); // top-left = first byte of the last stored row (checked in BmpDecoderTests)
    }

    [Fact]
    public void ResizesAndConvertsChannels_Hwc()
    {
        var img = new Image8(2, 1, 1, [0, 200]);
        var q = InputEncoder.Encode(img, 1, 4, 3, PixelEncoding.Offset);
        Assert.Equal([-128, -128, -128, -78, -78, -78, 22, 22, 22, 72, 72, 72], q);
    }

    [Fact]
    public void WrongDestinationSize_Throws()
    {
        var img = new Image8(2, 2, 1, new byte[4]);
        Assert.Throws<ArgumentException>(() => InputEncoder.Encode(img, 2, 2, 3, PixelEncoding.Raw, new sbyte[4]));
    }

    [Fact]
    public void RawTensorFile_ChecksSize()
    {
        byte[] bytes = [0x80, 0x00, 0x7F, 0xFF, 1, 2];
        using var f = new TempFile(bytes, ".bin");
        Assert.Equal([-128, 0, 127, -1, 1, 2], RawTensorFile.Read(f.Path, 6));
        var ex = Assert.Throws<DataFormatException>(() => RawTensorFile.Read(f.Path, 9216));
        Assert.Equal($"{f.Path}: expected 9216 bytes (the input tensor, HWC int8), file has 6", ex.Message);
    }
}
