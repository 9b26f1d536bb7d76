using TinyTrain.Kernels;
using TinyTrain.Tests.Kernels;
using static TinyTrain.Tests.CodeGen.CKernelCase;

namespace TinyTrain.Tests.CodeGen;

/// <summary>
/// Seeded random cases for every C kernel, each paired with what the C# reference kernel computes on it. Shapes
/// cover strides 1 and 2, kernels 1/3/5/7 (square or not), dilation, asymmetric padding, odd channel counts,
/// per-channel and per-tensor requantisation in both modes, masks, in-place calls and slice layouts.
/// </summary>
internal static partial class CKernelCases
{
    private static T Pick<T>(Random random, params T[] values) => values[random.Next(values.Length)];

    /// <summary>Gradient-like floats: mostly moderate, with exact zeros, negative zeros, tiny (subnormal) and large values.</summary>
    private static float[] Floats(Random random, int length, float scale = 1f)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = random.Next(40) switch
            {
                0 => 0f,
                1 => -0f,
                2 => (float)(random.NextDouble() - 0.5) * 1e-39f,
                3 => (float)(random.NextDouble() - 0.5) * 1e6f,
                _ => (float)(random.NextDouble() * 2 - 1) * scale,
            };
        }

        return values;
    }

    /// <summary>Random mask bytes for a tensor of this many elements (unused high bits random too: kernels must ignore them).</summary>
    /// <summary>Random bits, with whole bytes of zeros and of ones as often as a ReLU's mask has them.</summary>
    private static byte[] Mask(Random random, int elements)
    {
        var mask = new byte[ClampMask.ByteLength(elements)];
        random.NextBytes(mask);
        for (int i = 0; i < mask.Length; i++)
        {
            mask[i] = random.Next(4) switch { 0 => 0, 1 => 0xFF, _ => mask[i] };
        }

        return mask;
    }

    /// <summary>The scale, multiplier and shift inputs of a requantisation (the unused mode's are empty).</summary>
    private static byte[][] RequantInputs(Requantization requant) =>
        requant.Mode == RequantMode.Float
            ? [Bytes(requant.Scale), [], []]
            : [[], Bytes(requant.Multiplier), Bytes(requant.Shift)];

    /// <summary>A selection of input channels for a sparse filter gradient: all, a prefix, or a shuffled subset.</summary>
    private static int[] Channels(Random random, int channels)
    {
        int count = random.Next(3) == 0 ? channels : random.Next(1, channels + 1);
        var all = Enumerable.Range(0, channels).ToArray();
        if (random.Next(2) == 0)
        {
            random.Shuffle(all);
        }

        return all[..count];
    }

    /// <summary>The fp32 clamp of a forward: none, ReLU, or ReLU6.</summary>
    private static (float Min, float Max) FloatRange(Random random) => random.Next(3) switch
    {
        0 => (float.NegativeInfinity, float.PositiveInfinity),
        1 => (0f, float.PositiveInfinity),
        _ => (0f, 6f),
    };

    /// <summary>An output extent for an input extent, kernel extent, stride and padding (retried by the caller when &lt; 1).</summary>
    private static int OutputExtent(int input, int padBefore, int padAfter, int kernelExtent, int stride) =>
        (input + padBefore + padAfter - kernelExtent) / stride + 1;

    private static string Describe(RequantMode mode, Requantization requant) =>
        $"{mode} {(requant.Channels == 1 ? "per-tensor" : "per-channel")}";
}
