using TinyTrain.Data;

namespace TinyTrain.Tests.Data;

public sealed class ImageFolderDatasetTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("tinytrain-folder-").FullName;

    public void Dispose() => Directory.Delete(_root, true);

    static byte[] GreyPng(int w, int h, byte value) =>
        Builders.Png(w, h, 8, 0, [.. Enumerable.Range(0, h).Select(_ => Enumerable.Repeat(value, w).ToArray())], [0]);

    static byte[] RgbBmp(int w, int h, byte r, byte g, byte b) =>
        Builders.Bmp(w, h, 24, [.. Enumerable.Range(0, h).Select(_ => Enumerable.Range(0, 3 * w).Select(i => (i % 3) switch { 0 => b, 1 => g, _ => r }).ToArray())]);

    string Write(string cls, string file, byte[] bytes)
    {
        string dir = Path.Combine(_root, cls);
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, file);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    void MakeThreeClasses()
    {
        Write("dog", "b.png", GreyPng(3, 2, 20));
        Write("dog", "a.BMP", RgbBmp(2, 2, 200, 100, 50));
        Write("cat", "x.Png", GreyPng(4, 4, 10));
        Write("cat", "notes.txt", "not an image"u8.ToArray());
        Write("ant", "1.bmp", RgbBmp(1, 1, 1, 2, 3));
        Write("ant", "2.png", GreyPng(2, 3, 30));
        Write("ant", "10.png", GreyPng(2, 3, 40));
        Write(".hidden", "h.png", GreyPng(1, 1, 0));
        File.WriteAllBytes(Path.Combine(_root, "stray.png"), GreyPng(1, 1, 0));
    }

    [Fact]
    public void ClassesLabelsAndDecoding()
    {
        MakeThreeClasses();
        var ds = new ImageFolderDataset(_root);
        Assert.Equal(["ant", "cat", "dog"], ds.ClassNames);
        Assert.Equal(3, ds.Classes);
        Assert.Equal(6, ds.Count);
        Assert.Equal([0, 0, 0, 1, 2, 2], Enumerable.Range(0, 6).Select(ds.Label));
        Assert.Equal(["1.bmp", "10.png", "2.png", "x.Png", "a.BMP", "b.png"], Enumerable.Range(0, 6).Select(i => Path.GetFileName(ds.FilePath(i))));
        Assert.Equal([3, 1, 2], ds.ClassCounts());

        var rgb = ds.LoadImage(4);
        Assert.Equal((2, 2, 3), (rgb.Width, rgb.Height, rgb.Channels));
        Assert.Equal([200, 100, 50], rgb.Pixels[..3]);
        var grey = ds.LoadImage(1);
        Assert.Equal((2, 3, 1), (grey.Width, grey.Height, grey.Channels));
        Assert.All(grey.Pixels, p => Assert.Equal(40, p));
        Assert.Equal(grey.Pixels, ds.View(1).Pixels.ToArray());
    }

    [Fact]
    public void NothingDecodedAtConstruction()
    {
        MakeThreeClasses();
        Write("cat", "y.png", [1, 2, 3]); // corrupt, but only listed
        var ds = new ImageFolderDataset(_root);
        Assert.Equal(7, ds.Count);
        var ex = Assert.Throws<DataFormatException>(() => ds.LoadImage(4));
        Assert.Equal(Path.Combine(_root, "cat", "y.png"), ex.FileName);
        Assert.StartsWith(Path.Combine(_root, "cat", "y.png") + ": unknown image format", ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void MissingFolder_OneLineError()
    {
        string missing = Path.Combine(_root, "nope");
        var ex = Assert.Throws<DataFormatException>(() => new ImageFolderDataset(missing));
        Assert.Equal($"{missing}: dataset folder does not exist", ex.Message);
        Assert.Throws<DataFormatException>(() => DatasetCatalog.Open(missing, null));
    }

    [Fact]
    public void NoClassFolders_OneLineError()
    {
        File.WriteAllBytes(Path.Combine(_root, "stray.png"), GreyPng(1, 1, 0));
        var ex = Assert.Throws<DataFormatException>(() => new ImageFolderDataset(_root));
        Assert.Equal($"{_root}: dataset folder has no class subfolders (expected root/<class>/*.png|*.bmp)", ex.Message);
    }

    [Fact]
    public void EmptyClass_NamesTheClassFolder()
    {
        MakeThreeClasses();
        Directory.CreateDirectory(Path.Combine(_root, "empty"));
        Write("txtonly", "a.txt", [1]);
        var ex = Assert.Throws<DataFormatException>(() => new ImageFolderDataset(_root));
        Assert.Equal($"{Path.Combine(_root, "empty")}: class folder has no .png or .bmp images", ex.Message);
    }

    [Fact]
    public void UnsupportedOrCorruptImages_NameTheFile()
    {
        byte[][] rows = [[1, 2], [3, 4]];
        string interlaced = Write("a", "interlaced.png", Builders.Png(2, 2, 8, 0, rows, [0], interlace: 1));
        byte[] truncatedBytes = GreyPng(4, 4, 9);
        string truncated = Write("a", "truncated.png", truncatedBytes[..(truncatedBytes.Length - 20)]);
        string bmp4 = Write("a", "z4bit.bmp", Builders.Bmp(2, 2, 4, [[0x01], [0x10]], Builders.GreyPalette(16)));
        var ds = new ImageFolderDataset(_root);
        foreach (var (i, path) in new[] { (0, interlaced), (1, truncated), (2, bmp4) })
        {
            var ex = Assert.Throws<DataFormatException>(() => ds.LoadImage(i));
            Assert.Equal(path, ex.FileName);
            Assert.StartsWith(path + ": ", ex.Message);
            Assert.DoesNotContain('\n', ex.Message);
        }
    }

    [Fact]
    public void RgbaPng_AlphaDropped_ThreeChannels()
    {
        byte[][] rows = [[10, 20, 30, 0, 40, 50, 60, 255]];
        Write("a", "rgba.png", Builders.Png(2, 1, 8, 6, rows, [0]));
        var img = new ImageFolderDataset(_root).LoadImage(0);
        Assert.Equal(3, img.Channels);
        Assert.Equal([10, 20, 30, 40, 50, 60], img.Pixels);
    }

    [Fact]
    public void DeletedFile_OneLineErrorNamingIt()
    {
        string path = Write("a", "gone.png", GreyPng(1, 1, 0));
        var ds = new ImageFolderDataset(_root);
        File.Delete(path);
        var ex = Assert.Throws<DataFormatException>(() => ds.LoadImage(0));
        Assert.StartsWith(path + ": cannot load image (FileNotFoundException", ex.Message);
    }
}
