using TinyTrain.Data;
using TinyTrain.Ir;

namespace TinyTrain.Cli;

/// <summary>Turns the user's --input into the bytes of the model's input tensor (HWC, batch 1).</summary>
public static class InputTensor
{
    /// <param name="encoding">How an image's pixels become bytes; null: as the model's input asks (<see cref="ImageInput"/>).</param>
    public static sbyte[] Load(string path, int? index, PixelEncoding? encoding, TensorType input)
    {
        var inputShape = input.Shape;
        if (!File.Exists(path)) throw new FileNotFoundException($"input file '{path}' not found");
        var bytes = checked((int)inputShape.Elements);
        var tensor = new sbyte[bytes];
        if (path.EndsWith(".bin", StringComparison.OrdinalIgnoreCase))
        {
            RawTensorFile.Read(path, bytes).CopyTo(tensor, 0);
            return tensor;
        }
        if (inputShape.Rank != 4) throw new UsageException($"the model's input {inputShape} is not an image; pass a raw .bin of {bytes} bytes");
        Image8 image;
        if (IdxFile.IsIdx(path))
        {
            if (index is null) throw new UsageException($"'{path}' is an IDX dataset: pass --index N");
            var images = IdxFile.ReadImages(path);
            if (index < 0 || index >= images.Count) throw new UsageException($"--index {index} is outside '{path}' (0..{images.Count - 1})");
            image = images.GetImage(index.Value);
        }
        else
        {
            image = ImageFile.Load(path);
        }
        var form = ImageInput.Of(input, path);
        InputEncoder.Encode(image, form.Height, form.Width, form.Channels, encoding ?? form.Encoding, tensor);
        return tensor;
    }
}
