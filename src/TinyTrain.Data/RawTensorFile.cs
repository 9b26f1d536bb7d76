namespace TinyTrain.Data;

/// <summary>A .bin file holding exactly one input tensor's bytes (HWC int8).</summary>
public static class RawTensorFile
{
    public static sbyte[] Read(string path, int expectedBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(expectedBytes);
        long actual = new FileInfo(path).Length; // FileNotFoundException if missing
        if (actual != expectedBytes)
            throw new DataFormatException(path, $"expected {expectedBytes} bytes (the input tensor, HWC int8), file has {actual}");
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length != expectedBytes)
            throw new DataFormatException(path, $"expected {expectedBytes} bytes (the input tensor, HWC int8), read {bytes.Length}");
        var result = new sbyte[expectedBytes];
        Buffer.BlockCopy(bytes, 0, result, 0, expectedBytes);
        return result;
    }
}
