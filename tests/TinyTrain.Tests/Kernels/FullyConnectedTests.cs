using TinyTrain.Kernels;

namespace TinyTrain.Tests.Kernels;

public class FullyConnectedTests
{
    private static readonly sbyte[] Input = [10, -20, 30];
    private static readonly sbyte[] Filter = [1, 2, 3, -4, 5, -6];

    [Fact]
    public void Reference_PerTensorWithFilterOffset_HandComputed()
    {
        // x - 10 = [0, -30, 20]; W - 1 = [[0, 1, 2], [-5, 4, -7]]; sums 10 and -260; + bias [5, -4] = 15, -264.
        // * 0.5 (ties toward +inf): 7.5 -> 8, -132; + zp 3: 11, -129 -> clamp -128.
        var p = new FullyConnectedParams(1, 3, 2, 10, 1, 3, -128, 127, Requantization.FromFixedPoint([1 << 30], [0]));
        var output = new sbyte[2];
        KernelSet.Reference.FullyConnectedForward(p, Input, Filter, [5, -4], output);
        Assert.Equal(new sbyte[] { 11, -128 }, output);
    }

    [Fact]
    public void Reference_PerChannel_UsesEachOutputsMultiplier()
    {
        // As above with output 1 scaled by 0.25: -264 / 4 = -66, + 3 = -63.
        var p = new FullyConnectedParams(1, 3, 2, 10, 1, 3, -128, 127,
            Requantization.FromFixedPoint([1 << 30, 1 << 30], [0, -1]));
        var output = new sbyte[2];
        KernelSet.Reference.FullyConnectedForward(p, Input, Filter, [5, -4], output);
        Assert.Equal(new sbyte[] { 11, -63 }, output);
    }

    [Fact]
    public void Reference_FloatModeRoundsHalfToEven()
    {
        // Same sums with bias [5, -3]: 15 and -263; * 0.5 = 7.5 -> 8, -131.5 -> -132; + zp 3.
        var p = new FullyConnectedParams(1, 3, 2, 10, 1, 3, -128, 127, Requantization.FromFloat([0.5f]));
        var output = new sbyte[2];
        KernelSet.Reference.FullyConnectedForward(p, Input, Filter, [5, -3], output);
        Assert.Equal(new sbyte[] { 11, -128 }, output);
        KernelSet.Reference.FullyConnectedForward(p with { OutputZeroPoint = 100 }, Input, Filter, [5, -3], output);
        Assert.Equal(new sbyte[] { 108, -32 }, output);
    }

    [Fact]
    public void Vectorized_MatchesReference_ForEveryDepthUpTo257()
    {
        var random = new Random(3);
        for (int depth = 0; depth <= 257; depth++)
        {
            int batches = random.Next(1, 4), outputs = random.Next(1, 10);
            var mode = KernelRandom.Mode(random);
            int filterZeroPoint = random.Next(3) == 0 ? KernelRandom.ZeroPoint(random) : 0;
            int outputZeroPoint = KernelRandom.ZeroPoint(random);
            var (min, max) = KernelRandom.Activation(random, outputZeroPoint);
            var p = new FullyConnectedParams(batches, depth, outputs, KernelRandom.ZeroPoint(random), filterZeroPoint,
                outputZeroPoint, min, max, KernelRandom.Requant(random, mode, outputs));
            var input = KernelRandom.Int8(random, batches * depth);
            var filter = KernelRandom.Int8(random, outputs * depth);
            var bias = KernelRandom.Bias(random, outputs);
            KernelSets.AssertAgree(set => [Forward(set, p, input, filter, bias)], p);
        }
    }

    private static sbyte[] Forward(KernelSet set, FullyConnectedParams p, sbyte[] input, sbyte[] filter, int[] bias)
    {
        var output = new sbyte[p.Batches * p.OutputDepth];
        set.FullyConnectedForward(p, input, filter, bias, output);
        return output;
    }

    [Fact]
    public void Vectorized_ClassifierSizedLayer_MatchesReference()
    {
        // The paper's head shape: 160 features to 1000 classes.
        var random = new Random(4);
        var p = new FullyConnectedParams(1, 160, 1000, -1, 0, 7, -128, 127, KernelRandom.Requant(random, RequantMode.Float, 1000));
        var input = KernelRandom.Int8(random, 160);
        var filter = KernelRandom.Int8(random, 160_000);
        var bias = KernelRandom.Bias(random, 1000);
        KernelSets.AssertAgree(set => [Forward(set, p, input, filter, bias)], p);
    }

    [Fact]
    public void Validation_RejectsWrongLengths()
    {
        var p = new FullyConnectedParams(1, 3, 2, 0, 0, 0, -128, 127, Requantization.FromFloat([1f]));
        Assert.Throws<ArgumentException>(() => KernelSet.Fast.FullyConnectedForward(p, Input.AsSpan(1), Filter, [], new sbyte[2]));
        Assert.Throws<ArgumentException>(() => KernelSet.Fast.FullyConnectedForward(p, Input, Filter.AsSpan(1), [], new sbyte[2]));
        Assert.Throws<ArgumentException>(() => KernelSet.Fast.FullyConnectedForward(p, Input, Filter, [1], new sbyte[2]));
        Assert.Throws<ArgumentException>(() => KernelSet.Fast.FullyConnectedForward(p, Input, Filter, [], new sbyte[3]));
        Assert.Throws<ArgumentException>(() => KernelSet.Fast.FullyConnectedForward(p with { FilterZeroPoint = -129 }, Input, Filter, [], new sbyte[2]));
    }
}
