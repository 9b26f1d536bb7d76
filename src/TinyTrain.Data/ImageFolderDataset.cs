namespace TinyTrain.Data;

/// <summary>
/// root/&lt;class&gt;/*.png|*.bmp. Classes are the subfolders (hidden ones, starting with '.', are skipped) sorted
/// ordinally; files are sorted ordinally by name; other files and files directly in root are ignored.
/// Construction only lists files; images are decoded on request.
/// </summary>
public sealed class ImageFolderDataset : LabelledDataset
{
    readonly string[] _files;
    readonly int[] _labels;
    readonly string[] _classNames;

    public override string Name { get; }
    public override int Count => _files.Length;
    public override string[] ClassNames => _classNames;
    public string Root { get; }

    public ImageFolderDataset(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        if (!Directory.Exists(root)) throw new DataFormatException(root, "dataset folder does not exist");
        Root = root;
        Name = root;
        string[] classDirs;
        try
        {
            classDirs = [.. Directory.GetDirectories(root).Where(d => !Path.GetFileName(d).StartsWith('.')).Order(StringComparer.Ordinal)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException(root, $"cannot list dataset folder ({e.Message})", e);
        }
        if (classDirs.Length == 0)
            throw new DataFormatException(root, "dataset folder has no class subfolders (expected root/<class>/*.png|*.bmp)");
        _classNames = [.. classDirs.Select(d => Path.GetFileName(d))];
        var files = new List<string>();
        var labels = new List<int>();
        for (int c = 0; c < classDirs.Length; c++)
        {
            string[] images;
            try { images = [.. Directory.GetFiles(classDirs[c]).Where(IsImageFile).Order(StringComparer.Ordinal)]; }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new DataFormatException(classDirs[c], $"cannot list class folder ({e.Message})", e);
            }
            if (images.Length == 0) throw new DataFormatException(classDirs[c], "class folder has no .png or .bmp images");
            files.AddRange(images);
            labels.AddRange(Enumerable.Repeat(c, images.Length));
        }
        _files = [.. files];
        _labels = [.. labels];
    }

    static bool IsImageFile(string path) =>
        path.EndsWith(".png", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".bmp", StringComparison.OrdinalIgnoreCase);

    /// <summary>The image file of example <paramref name="index"/>.</summary>
    public string FilePath(int index)
    {
        CheckIndex(index);
        return _files[index];
    }

    public override int Label(int index)
    {
        CheckIndex(index);
        return _labels[index];
    }

    /// <summary>Decodes the file; unreadable, corrupt or unsupported files throw <see cref="DataFormatException"/> naming it.</summary>
    public override Image8 LoadImage(int index)
    {
        string path = FilePath(index);
        Image8 img;
        try { img = ImageFile.Load(path); }
        catch (DataFormatException) { throw; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new DataFormatException(path, $"cannot load image ({e.GetType().Name}: {OneLine(e.Message)})", e);
        }
        if (img.Channels is not (1 or 3))
            throw new DataFormatException(path, $"image has {img.Channels} channels (expected 1 or 3)");
        return img;
    }

    static string OneLine(string s) => s.ReplaceLineEndings(" ");
}
