using TinyTrain.Kernels;

namespace TinyTrain.Tests.Kernels;

/// <summary>
/// Quantize against an independent oracle of TFLite's Requantize: MultiplyByQuantizedMultiplier written out in 64-bit
/// arithmetic (doubling high multiply with its round-half-away nudge and the one saturating case, then the rounding
/// right shift), and the uint8 -> int8 shift of the same scale.
/// </summary>
public sealed class QuantizeTests
{
    private static int Oracle(int x, int multiplier, int shift)
    {
        var left = shift > 0 ? shift : 0;
        var right = shift > 0 ? 0 : -shift;
        var a = unchecked(x * (1 << left));
        int high;
        if (a == int.MinValue && multiplier == int.MinValue) high = int.MaxValue;
        else
        {
            var product = (long)a * multiplier;
            var nudge = product >= 0 ? 1L << 30 : 1 - (1L << 30);
            high = (int)((product + nudge) / (1L << 31));
        }
        if (right == 0) return high;
        var mask = (1 << right) - 1;
        var remainder = high & mask;
        var threshold = (mask >> 1) + (high < 0 ? 1 : 0);
        return (high >> right) + (remainder > threshold ? 1 : 0);
    }

    [Fact]
    public void A_uint8_input_at_the_same_scale_and_zero_point_128_becomes_its_int8_shift()
    {
        var p = QuantizeParams.Create(256, false, 0.05, 128, true, 0.05, 0);
        var input = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var output = new byte[256];
        Quantize.Forward(p, input, output);
        Assert.Equal(input.Select(b => (byte)(b ^ 0x80)), output);
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, false)]
    public void Random_scales_and_zero_points_equal_the_oracle_and_saturate(bool inputSigned, bool outputSigned)
    {
        var random = new Random(7);
        for (var trial = 0; trial < 200; trial++)
        {
            var inScale = Math.Exp(random.NextDouble() * 8 - 6);
            var outScale = Math.Exp(random.NextDouble() * 8 - 6);
            var inZp = inputSigned ? random.Next(-128, 128) : random.Next(0, 256);
            var outZp = outputSigned ? random.Next(-128, 128) : random.Next(0, 256);
            var p = QuantizeParams.Create(256, inputSigned, inScale, inZp, outputSigned, outScale, outZp);
            var input = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
            var output = new byte[256];
            Quantize.Forward(p, input, output);
            var (min, max) = outputSigned ? (-128, 127) : (0, 255);
            for (var i = 0; i < 256; i++)
            {
                int x = inputSigned ? (sbyte)input[i] : input[i];
                var expected = Math.Clamp(Oracle(x - inZp, p.Multiplier, p.Shift) + outZp, min, max);
                int actual = outputSigned ? (sbyte)output[i] : output[i];
                Assert.Equal(expected, actual);
                // and within one step of the real-valued result, before the clamp
                var real = (x - inZp) * inScale / outScale + outZp;
                Assert.InRange(actual, Math.Clamp((int)Math.Floor(real) - 1, min, max), Math.Clamp((int)Math.Ceiling(real) + 1, min, max));
            }
        }
    }

    [Fact]
    public void Lengths_that_do_not_match_are_refused()
    {
        var p = QuantizeParams.Create(4, false, 1, 0, true, 1, 0);
        Assert.Throws<ArgumentException>(() => Quantize.Forward(p, new byte[3], new byte[4]));
        Assert.Throws<ArgumentException>(() => Quantize.Forward(p, new byte[4], new byte[5]));
    }
}
