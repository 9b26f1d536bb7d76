namespace TinyTrain.Data;

/// <summary>An IDX images + labels pair (MNIST layout). Keeps the compact pixel array; images are cut out on request.</summary>
public sealed class IdxDataset : LabelledDataset
{
    readonly IdxImages _images;
    readonly byte[] _labels;
    readonly string[] _classNames;

    public override string Name { get; }
    public override int Count => _images.Count;
    public override string[] ClassNames => _classNames;
    public int Rows => _images.Rows;
    public int Cols => _images.Cols;

    /// <param name="classNames">Class names; null = "0".."max label" inferred from the labels.</param>
    /// <param name="labelsName">The labels file, named in label errors.</param>
    public IdxDataset(IdxImages images, IdxLabels labels, string[]? classNames, string name, string labelsName)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Count != images.Count)
            throw new DataFormatException(labelsName, $"has {labels.Count} labels but the images file has {images.Count} images");
        if (classNames is null)
        {
            int max = 0;
            foreach (byte l in labels.Labels) max = Math.Max(max, l);
            classNames = [.. Enumerable.Range(0, max + 1).Select(i => i.ToString())];
        }
        if (classNames.Length == 0) throw new ArgumentException("no class names", nameof(classNames));
        for (int i = 0; i < labels.Count; i++)
            if (labels[i] >= classNames.Length)
                throw new DataFormatException(labelsName, $"label {labels[i]} at index {i} is out of range (dataset has {classNames.Length} classes)");
        (_images, _labels, _classNames, Name) = (images, labels.Labels, classNames, name);
    }

    /// <summary>Reads both files (raw or gzip).</summary>
    public static IdxDataset Open(string imagesPath, string labelsPath, string[]? classNames = null, string? name = null)
    {
        var images = IdxFile.ReadImages(imagesPath);
        var labels = IdxFile.ReadLabels(labelsPath);
        return new IdxDataset(images, labels, classNames, name ?? imagesPath, labelsPath);
    }

    public override int Label(int index)
    {
        CheckIndex(index);
        return _labels[index];
    }

    public override Image8 LoadImage(int index)
    {
        CheckIndex(index);
        return _images.GetImage(index);
    }

    public override ImageView View(int index)
    {
        CheckIndex(index);
        return new ImageView(_images.Cols, _images.Rows, 1, _images.GetPixels(index));
    }
}
