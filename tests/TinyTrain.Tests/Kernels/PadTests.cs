using TinyTrain.Kernels;

namespace TinyTrain.Tests.Kernels;

public class PadTests
{
    [Fact]
    public void Forward_PlacesTheInputAndFillsThePadValue()
    {
        // 2x2x1 input; one row on top, one column each side, one channel before: output 3x4x2.
        var p = new PadParams(2, 2, 1, 1, 0, 1, 1, 1, 0, -128);
        var output = new sbyte[p.OutputH * p.OutputW * p.OutputC];
        Pad.Forward(p, [1, 2, 3, 4], output);
        sbyte[] expected =
        [
            -128, -128, -128, -128, -128, -128, -128, -128,
            -128, -128, -128, 1, -128, 2, -128, -128,
            -128, -128, -128, 3, -128, 4, -128, -128,
        ];
        Assert.Equal(expected, output);
    }

    [Fact]
    public void Forward_WithoutPadding_Copies()
    {
        var input = KernelRandom.Int8(new Random(1), 3 * 4 * 5);
        var output = new sbyte[input.Length];
        Pad.Forward(new PadParams(3, 4, 5, 0, 0, 0, 0, 0, 0, 9), input, output);
        Assert.Equal(input, output);
    }

    [Fact]
    public void Validation_RejectsWrongLengths()
    {
        var p = new PadParams(2, 2, 1, 1, 1, 1, 1, 0, 0, 0);
        Assert.Throws<ArgumentException>(() => Pad.Forward(p, new sbyte[4], new sbyte[15]));
        Assert.Throws<ArgumentException>(() => Pad.Forward(p with { PadTop = -1 }, new sbyte[4], new sbyte[12]));
    }
}
