using TinyTrain.Ir;

namespace TinyTrain.Data;

/// <summary>
/// How images fill a model's input tensor: the height, width and channels they are resized and converted to, and how
/// an 8-bit pixel becomes one of the tensor's bytes. The pixel range 0..255 spans the input's whole quantised range:
/// <see cref="PixelEncoding.Offset"/> (pixel - 128) for an int8 input, <see cref="PixelEncoding.Raw"/> (the pixel)
/// for a uint8 one. Post-training quantisation sets an input's range from its calibration data, so this is the
/// model's own preprocessing whenever that was affine in the pixel, whatever its scale and zero point: vww_96_int8
/// (1/255, -128) reads pixel / 255, person_detect (1/127.5, -1) pixel / 127.5 - 1, MLPerf's ResNet-8 (1, -128) the
/// pixel, the paper's models (1/127.5, 0) their (pixel - 128) / 127.5, and a uint8 input of scale 1/255 the pixel.
/// (Encoding pixel / 255 with the input's scale would leave ResNet-8 two input values, and person_detect half its range.)
/// </summary>
public sealed record ImageInput(int Height, int Width, int Channels, PixelEncoding Encoding)
{
    /// <summary>
    /// The image form of <paramref name="input"/>, a model's input tensor; a tensor images cannot fill (not NHWC with
    /// batch 1, not 1 or 3 channels, not int8 or uint8) is a one-line error naming <paramref name="data"/>.
    /// </summary>
    public static ImageInput Of(TensorType input, string data)
    {
        ArgumentNullException.ThrowIfNull(input);
        var shape = input.Shape;
        string? problem = null;
        if (shape.Rank != 4 || shape[0] != 1) problem = "it is not an NHWC image of batch 1";
        else if (shape[3] is not (1 or 3)) problem = $"it has {shape[3]} channels, images 1 or 3";
        else if (shape[1] > Image8.MaxSide || shape[2] > Image8.MaxSide) problem = $"it is larger than {Image8.MaxSide} pixels a side";
        else if (input.DType is not (DType.Int8 or DType.UInt8)) problem = $"it is {input.DType.Name()}, images give 8-bit values";
        if (problem is not null) throw new DataFormatException(data, $"images cannot fill the model's input {input.DType.Name()} {shape}: {problem}");
        return new ImageInput(shape[1], shape[2], shape[3], input.DType == DType.UInt8 ? PixelEncoding.Raw : PixelEncoding.Offset);
    }

    /// <summary>Elements per encoded image (H*W*C).</summary>
    public int Size => Height * Width * Channels;
}
