namespace TinyTrain.Ir;

/// <summary>Shape arithmetic the type rules share.</summary>
public static class Shapes
{
    public static int OutputSize(int input, int kernel, int stride, int dilation, int totalPad, string name)
    {
        Expect(stride > 0 && dilation > 0 && kernel > 0, name, $"stride {stride}, dilation {dilation}, kernel {kernel} must be positive");
        var effective = (kernel - 1) * dilation + 1;
        var span = input + totalPad - effective;
        Expect(span >= 0, name, $"kernel {kernel} (dilation {dilation}) is larger than the padded input {input}+{totalPad}");
        return span / stride + 1;
    }

    /// <summary>The NHWC output of a pooling window over <paramref name="input"/>.</summary>
    public static Shape Pooled(Shape input, int filterH, int filterW, int strideH, int strideW, Padding2D padding, string name)
    {
        Expect(input.Rank == 4, name, $"pool needs NHWC, got {input}");
        var oh = OutputSize(input[1], filterH, strideH, 1, padding.Top + padding.Bottom, name);
        var ow = OutputSize(input[2], filterW, strideW, 1, padding.Left + padding.Right, name);
        return new Shape(input[0], oh, ow, input[3]);
    }

    private static void Expect(bool condition, string name, string message)
    {
        if (!condition) throw new IrException($"{name}: {message}");
    }
}
