namespace TinyTrain.Kernels;

/// <summary>
/// 8-bit requantisation, bit-exact with TFLite Micro's reference Requantize (QUANTIZE on int8 or uint8 inputs). Its fast
/// path for uint8 &lt;-&gt; int8 at the same scale (x ^ 0x80) is the same function: a unit multiplier is exact.
/// </summary>
public static class Quantize
{
    /// <summary>y[i] = clamp(MultiplyByQuantizedMultiplier(x[i] - x_zp, m, shift) + y_zp) to the output type's range.</summary>
    public static void Forward(QuantizeParams p, ReadOnlySpan<byte> input, Span<byte> output)
    {
        ArgumentNullException.ThrowIfNull(p);
        Check.Length(input, p.Length, nameof(input));
        Check.Length(output, p.Length, nameof(output));
        int min = p.OutputSigned ? sbyte.MinValue : byte.MinValue, max = p.OutputSigned ? sbyte.MaxValue : byte.MaxValue;
        for (var i = 0; i < input.Length; i++)
        {
            int x = p.InputSigned ? (sbyte)input[i] : input[i];
            var y = FixedPoint.MultiplyByQuantizedMultiplier(x - p.InputZeroPoint, p.Multiplier, p.Shift) + p.OutputZeroPoint;
            output[i] = unchecked((byte)Math.Clamp(y, min, max));
        }
    }
}
