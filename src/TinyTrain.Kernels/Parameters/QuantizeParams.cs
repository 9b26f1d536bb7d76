namespace TinyTrain.Kernels;

/// <summary>
/// Requantisation of 8-bit integers (TFLite Micro's Requantize): the input and output are int8 when Signed, else uint8;
/// Multiplier and Shift encode s_in / s_out (TFLite's QuantizeMultiplier).
/// </summary>
public sealed record QuantizeParams(int Length, bool InputSigned, bool OutputSigned, int InputZeroPoint, int OutputZeroPoint, int Multiplier, int Shift)
{
    public static QuantizeParams Create(int length, bool inputSigned, double inputScale, int inputZeroPoint, bool outputSigned, double outputScale, int outputZeroPoint)
    {
        var (multiplier, shift) = QuantizedMultiplier.QuantizeMultiplier(inputScale / outputScale);
        return new QuantizeParams(length, inputSigned, outputSigned, inputZeroPoint, outputZeroPoint, multiplier, shift);
    }
}
