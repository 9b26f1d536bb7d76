using TinyTrain.Kernels;

namespace TinyTrain.Tests.Kernels;

public class MaxPool2DTests
{
    // 4x4x1, row by row.
    private static readonly sbyte[] Grid4 =
    [
        1, 5, -3, 2,
        4, -7, 0, 9,
        -8, 6, 3, 3,
        2, -1, -4, -2,
    ];

    // 3x3x1, all negative: a zero from the padding would win every border window.
    private static readonly sbyte[] Negative3 = [-5, -9, -7, -8, -6, -4, -3, -2, -1];

    private static PoolParams Pool(int inputH, int inputW, int channels, int outputH, int outputW, int filter, int stride, int pad,
        int actMin = -128, int actMax = 127) =>
        new(inputH, inputW, channels, outputH, outputW, filter, filter, stride, stride, pad, pad, actMin, actMax, PoolRounding.HalfAwayFromZero);

    private static sbyte[] Forward(PoolParams p, sbyte[] input)
    {
        var output = new sbyte[p.OutputH * p.OutputW * p.Channels];
        output.AsSpan().Fill(99); // must be overwritten
        MaxPool2D.Forward(p, input, output);
        return output;
    }

    private static float[] Backward(PoolParams p, sbyte[] input, float[] outputGrad)
    {
        var inputGrad = new float[p.InputH * p.InputW * p.Channels];
        inputGrad.AsSpan().Fill(float.NaN); // must be overwritten
        MaxPool2D.Backward(p, input, outputGrad, inputGrad);
        return inputGrad;
    }

    [Fact]
    public void Valid_2x2_stride_2_takes_each_blocks_max_and_routes_its_gradient_there()
    {
        var p = Pool(4, 4, 1, 2, 2, filter: 2, stride: 2, pad: 0);
        // Blocks: {1, 5, 4, -7} -> 5 at (0, 1); {-3, 2, 0, 9} -> 9 at (1, 3); {-8, 6, 2, -1} -> 6 at (2, 1);
        // {3, 3, -4, -2} -> 3, a tie of (2, 2) and (2, 3): the first in scan order, (2, 2), takes the gradient.
        Assert.Equal(new sbyte[] { 5, 9, 6, 3 }, Forward(p, Grid4));
        Assert.Equal(new float[] { 0, 1, 0, 0, 0, 0, 0, 2, 0, 3, 4, 0, 0, 0, 0, 0 }, Backward(p, Grid4, [1, 2, 3, 4]));
    }

    [Fact]
    public void Same_3x3_stride_1_ignores_the_padding_and_overlapping_windows_accumulate()
    {
        var p = Pool(3, 3, 1, 3, 3, filter: 3, stride: 1, pad: 1);
        // (0, 0) covers rows 0-1, columns 0-1: {-5, -9, -8, -6} -> -5 (a padded zero would give 0). (0, 1) and (0, 2)
        // reach -4 at (1, 2); (1, 0) and (2, 0) reach -2 at (2, 1); the other four windows reach -1 at (2, 2).
        Assert.Equal(new sbyte[] { -5, -4, -4, -2, -1, -1, -2, -1, -1 }, Forward(p, Negative3));
        // Input (1, 2) takes 2 + 4, (2, 1) takes 8 + 64, (2, 2) takes 16 + 32 + 128 + 256.
        float[] outputGrad = [1, 2, 4, 8, 16, 32, 64, 128, 256];
        Assert.Equal(new float[] { 1, 0, 0, 0, 0, 6, 0, 72, 432 }, Backward(p, Negative3, outputGrad));
    }

    [Fact]
    public void Same_3x3_stride_2_windows_cross_the_right_and_bottom_border()
    {
        // TFLite SAME for 4 -> 2 with a 3x3 window and stride 2: no padding before, one row and column after.
        var p = Pool(4, 4, 1, 2, 2, filter: 3, stride: 2, pad: 0);
        // (0, 0): rows 0-2, columns 0-2 -> 6 at (2, 1); (0, 1): columns 2-3 only -> 9 at (1, 3);
        // (1, 0): rows 2-3 -> 6 at (2, 1) again; (1, 1): {3, 3, -4, -2} -> 3, first at (2, 2).
        Assert.Equal(new sbyte[] { 6, 9, 6, 3 }, Forward(p, Grid4));
        Assert.Equal(new float[] { 0, 0, 0, 0, 0, 0, 0, 2, 0, 4, 4, 0, 0, 0, 0, 0 }, Backward(p, Grid4, [1, 2, 3, 4]));
    }

    [Fact]
    public void The_upper_clamp_passes_a_max_on_the_bound_and_stops_one_above_it()
    {
        // A ReLU6-like range [-3, 5]: maxima 5, 9, 6, 3 become 5, 5, 5, 3; 9 and 6 were clamped, so no gradient.
        var p = Pool(4, 4, 1, 2, 2, filter: 2, stride: 2, pad: 0, actMin: -3, actMax: 5);
        Assert.Equal(new sbyte[] { 5, 5, 5, 3 }, Forward(p, Grid4));
        Assert.Equal(new float[] { 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0 }, Backward(p, Grid4, [1, 2, 3, 4]));
    }

    [Fact]
    public void A_fused_relu_lifts_low_maxima_to_act_min_and_stops_their_gradient()
    {
        // ActMin -3 (a ReLU whose zero point is -3): the first row's windows reach -5, -4, -4 and become -3.
        var p = Pool(3, 3, 1, 3, 3, filter: 3, stride: 1, pad: 1, actMin: -3);
        Assert.Equal(new sbyte[] { -3, -3, -3, -2, -1, -1, -2, -1, -1 }, Forward(p, Negative3));
        float[] outputGrad = [1, 2, 4, 8, 16, 32, 64, 128, 256];
        Assert.Equal(new float[] { 0, 0, 0, 0, 0, 0, 0, 72, 432 }, Backward(p, Negative3, outputGrad));
    }

    [Fact]
    public void Ties_go_to_the_first_position_in_row_major_scan_order()
    {
        // Global 3x3 pool, 2 channels. Channel 0: 9 at (0, 2), (1, 0) and (2, 2): row-major order meets (0, 2) first
        // (column-major would meet (1, 0)). Channel 1: every value equal, so (0, 0).
        sbyte[] input = [1, 4, 1, 4, 9, 4, 9, 4, 1, 4, 1, 4, 1, 4, 1, 4, 9, 4];
        var p = Pool(3, 3, 2, 1, 1, filter: 3, stride: 1, pad: 0);
        Assert.Equal(new sbyte[] { 9, 4 }, Forward(p, input));
        var inputGrad = Backward(p, input, [10, 20]);
        Assert.Equal(new float[] { 0, 20, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, inputGrad);
    }

    [Fact]
    public void Fp32_signed_zeros_tie_the_first_one_wins_the_value_and_the_gradient()
    {
        var p = Pool(1, 2, 1, 1, 1, filter: 2, stride: 1, pad: 0);
        foreach (float[] input in new[] { new[] { -0f, 0f }, new[] { 0f, -0f } })
        {
            var output = new float[1];
            MaxPool2D.ForwardFloat(p, input, output, float.NegativeInfinity, float.PositiveInfinity);
            GradientCheck.AssertBitwise(input.AsSpan(0, 1), output, "first zero");
            var inputGrad = new float[2];
            MaxPool2D.BackwardFloat(p, input, [3f], inputGrad, float.NegativeInfinity, float.PositiveInfinity);
            Assert.Equal(new float[] { 3, 0 }, inputGrad);
        }
    }

    [Fact]
    public void Fp32_skips_nans_clamps_and_passes_no_gradient_through_the_clamp()
    {
        // 1x4 input, 1x2 windows, stride 2: {NaN, 2} -> 2; {NaN, NaN} -> -infinity, which the ReLU lifts to 0.
        var p = Pool(1, 4, 1, 1, 2, filter: 2, stride: 2, pad: 0);
        float[] input = [float.NaN, 2, float.NaN, float.NaN];
        var output = new float[2];
        MaxPool2D.ForwardFloat(p, input, output, float.NegativeInfinity, float.PositiveInfinity);
        Assert.Equal(new[] { 2f, float.NegativeInfinity }, output);
        MaxPool2D.ForwardFloat(p, input, output, 0, 6);
        Assert.Equal(new[] { 2f, 0f }, output);
        var inputGrad = new float[4];
        MaxPool2D.BackwardFloat(p, input, [5, 7], inputGrad, 0, 6);
        Assert.Equal(new float[] { 0, 5, 0, 0 }, inputGrad);
        MaxPool2D.BackwardFloat(p, input, [5, 7], inputGrad, 0, 1.5f); // 2 > 1.5: clamped
        Assert.Equal(new float[] { 0, 0, 0, 0 }, inputGrad);
    }

    [Fact]
    public void Rounding_is_ignored()
    {
        var p = Pool(4, 4, 1, 2, 2, filter: 3, stride: 2, pad: 0);
        Assert.Equal(Forward(p, Grid4), Forward(p with { Rounding = PoolRounding.HalfToEven }, Grid4));
        Assert.Equal(Forward(p, Grid4), Forward(p with { Rounding = (PoolRounding)7 }, Grid4));
    }

    [Fact]
    public void Validation_rejects_empty_windows_wrong_lengths_and_bad_ranges()
    {
        var p = Pool(2, 2, 1, 2, 2, filter: 1, stride: 1, pad: 0);
        Assert.Throws<ArgumentException>(() => MaxPool2D.Forward(p, new sbyte[3], new sbyte[4]));
        Assert.Throws<ArgumentException>(() => MaxPool2D.Forward(p, new sbyte[4], new sbyte[3]));
        Assert.Throws<ArgumentException>(() => MaxPool2D.Backward(p, new sbyte[4], new float[4], new float[3]));
        Assert.Throws<ArgumentException>(() => MaxPool2D.Backward(p, new sbyte[4], new float[3], new float[4]));
        Assert.Throws<ArgumentException>(() => MaxPool2D.Forward(p with { ActMin = 5, ActMax = 4 }, new sbyte[4], new sbyte[4]));
        Assert.Throws<ArgumentException>(() => MaxPool2D.ForwardFloat(p, new float[4], new float[4], 1, 0));
        Assert.Throws<ArgumentException>(() => MaxPool2D.BackwardFloat(p, new float[4], new float[4], new float[4], float.NaN, 0));
        // Output row 1 with stride 3 starts below the image: its window covers nothing.
        var empty = new PoolParams(2, 2, 1, 2, 1, 1, 1, 3, 1, 0, 0, -128, 127, PoolRounding.HalfToEven);
        Assert.Throws<ArgumentException>(() => MaxPool2D.Forward(empty, new sbyte[4], new sbyte[2]));
        Assert.Throws<ArgumentException>(() => MaxPool2D.BackwardFloat(empty, new float[4], new float[2], new float[4], 0, 1));
    }

    /// <summary>Every kernel against a brute-force oracle written from the spec, on random geometries; fp32 bit for bit.</summary>
    [Theory]
    [Seeds(30)]
    public void All_four_kernels_match_a_brute_force_oracle(int seed)
    {
        var random = new Random(4400 + seed);
        for (int trial = 0; trial < 10; trial++)
        {
            var p = RandomGeometry(random);
            int inputLength = p.InputH * p.InputW * p.Channels, outputLength = p.OutputH * p.OutputW * p.Channels;
            var input = new sbyte[inputLength];
            int spread = random.Next(2) == 0 ? 256 : 4; // few values: many ties
            int low = random.Next(-128, 129 - spread);
            for (int i = 0; i < inputLength; i++)
            {
                input[i] = (sbyte)(low + random.Next(spread));
            }

            var floatInput = input.Select(v => random.Next(12) == 0 ? float.NaN : v == 0 && random.Next(2) == 0 ? -0f : v * 0.25f).ToArray();
            var outputGrad = GradientCheck.Floats(random, outputLength, 3f);
            var (min, max) = random.Next(3) switch
            {
                0 => (float.NegativeInfinity, float.PositiveInfinity),
                1 => (0f, float.PositiveInfinity),
                _ => (0f, 6f),
            };

            var (expected, expectedGrad) = Oracle(p, input.Select(v => (float)v).ToArray(), outputGrad, p.ActMin, p.ActMax);
            Assert.Equal(expected.Select(v => (sbyte)Math.Clamp(v, p.ActMin, p.ActMax)).ToArray(), Forward(p, input));
            var grad = Backward(p, input, outputGrad);
            GradientCheck.AssertBitwise(expectedGrad, grad, p);

            // The int8 backward is the fp32 one on the same values with the int8 clamp as its range.
            var sameValues = new float[inputLength];
            MaxPool2D.BackwardFloat(p, input.Select(v => (float)v).ToArray(), outputGrad, sameValues, p.ActMin, p.ActMax);
            GradientCheck.AssertBitwise(grad, sameValues, p);

            var (expectedFloat, expectedFloatGrad) = Oracle(p, floatInput, outputGrad, min, max);
            var floatOutput = new float[outputLength];
            floatOutput.AsSpan().Fill(float.NaN);
            MaxPool2D.ForwardFloat(p, floatInput, floatOutput, min, max);
            GradientCheck.AssertBitwise(expectedFloat.Select(v => v < min ? min : v > max ? max : v).ToArray(), floatOutput, $"{p} [{min}, {max}]");
            var floatGrad = new float[inputLength];
            floatGrad.AsSpan().Fill(float.NaN);
            MaxPool2D.BackwardFloat(p, floatInput, outputGrad, floatGrad, min, max);
            GradientCheck.AssertBitwise(expectedFloatGrad, floatGrad, $"{p} [{min}, {max}]");
        }
    }

    /// <summary>
    /// The spec, spelled out differently: each window's in-image (value, index) pairs in row-major order; the max of the
    /// non-NaN values (-infinity if none); the first pair holding it gives the output's value (so its zero's sign) and
    /// takes the gradient, unless the max lies outside [low, high]. Returns the unclamped outputs and the input gradient.
    /// </summary>
    private static (float[] Output, float[] InputGrad) Oracle(PoolParams p, float[] input, float[] outputGrad, float low, float high)
    {
        var output = new float[p.OutputH * p.OutputW * p.Channels];
        var inputGrad = new float[input.Length];
        for (int oy = 0; oy < p.OutputH; oy++)
        {
            for (int ox = 0; ox < p.OutputW; ox++)
            {
                for (int c = 0; c < p.Channels; c++)
                {
                    var taps = new List<(float Value, int Index)>();
                    for (int fy = 0; fy < p.FilterH; fy++)
                    {
                        for (int fx = 0; fx < p.FilterW; fx++)
                        {
                            int iy = oy * p.StrideH - p.PadTop + fy, ix = ox * p.StrideW - p.PadLeft + fx;
                            if (iy >= 0 && iy < p.InputH && ix >= 0 && ix < p.InputW)
                            {
                                int index = (iy * p.InputW + ix) * p.Channels + c;
                                taps.Add((input[index], index));
                            }
                        }
                    }

                    Assert.NotEmpty(taps);
                    var numbers = taps.Where(t => !float.IsNaN(t.Value)).ToList();
                    float max = numbers.Count == 0 ? float.NegativeInfinity : numbers.Max(t => t.Value);
                    int first = numbers.FindIndex(t => t.Value == max);
                    int o = (oy * p.OutputW + ox) * p.Channels + c;
                    output[o] = first >= 0 ? numbers[first].Value : max;
                    if (first >= 0 && max >= low && max <= high)
                    {
                        inputGrad[numbers[first].Index] += outputGrad[o];
                    }
                }
            }
        }

        return (output, inputGrad);
    }

    /// <summary>Extents 1..9, windows 1..4 (square or not), strides 1..3, padding before and after below the window.</summary>
    private static PoolParams RandomGeometry(Random random)
    {
        (int Input, int Filter, int Stride, int Pad, int Output) Axis()
        {
            while (true)
            {
                int input = random.Next(1, 10), filter = random.Next(1, 5), stride = random.Next(1, 4);
                int before = random.Next(filter), after = random.Next(filter);
                int output = (input + before + after - filter) / stride + 1;
                if (output >= 1)
                {
                    return (input, filter, stride, before, output);
                }
            }
        }

        var y = Axis();
        var x = Axis();
        int actMin = random.Next(2) == 0 ? -128 : random.Next(-128, 100);
        int actMax = random.Next(2) == 0 ? 127 : random.Next(actMin, 128);
        return new PoolParams(y.Input, x.Input, random.Next(1, 6), y.Output, x.Output, y.Filter, x.Filter, y.Stride, x.Stride, y.Pad, x.Pad,
            actMin, actMax, PoolRounding.HalfToEven);
    }

    /// <summary>
    /// Central differences of L = sum r * y around the fp32 forward against the fp32 backward: moving a window's max moves
    /// its output by as much, moving anything else moves nothing. Inputs are distinct multiples of 0.25 (plus 0.03), so
    /// a +-0.01 move never changes which input is the max nor crosses a clamp bound at 0 or 6.
    /// </summary>
    [Theory]
    [InlineData(6, 6, 2, 2, 0, 0f, float.PositiveInfinity)] // VALID 2x2 stride 2, ReLU
    [InlineData(5, 5, 3, 1, 1, float.NegativeInfinity, float.PositiveInfinity)] // SAME 3x3 stride 1: overlapping windows
    [InlineData(7, 5, 3, 2, 1, 0f, 6f)] // SAME 3x3 stride 2, ReLU6
    public void Finite_differences_match_the_fp32_backward(int inputH, int inputW, int filter, int stride, int pad, float min, float max)
    {
        int channels = 3;
        int outputH = (inputH + 2 * pad - filter) / stride + 1, outputW = (inputW + 2 * pad - filter) / stride + 1;
        var p = Pool(inputH, inputW, channels, outputH, outputW, filter, stride, pad);
        var random = new Random(inputH * 100 + filter * 10 + stride);
        var order = Enumerable.Range(0, inputH * inputW * channels).ToArray();
        random.Shuffle(order);
        var input = order.Select(k => (k - order.Length / 2) * 0.25f + 0.03f).ToArray();
        var r = GradientCheck.Floats(random, outputH * outputW * channels);
        var inputGrad = new float[input.Length];
        MaxPool2D.BackwardFloat(p, input, r, inputGrad, min, max);
        Assert.Contains(inputGrad, g => g != 0);
        var output = new float[r.Length];

        double Loss()
        {
            MaxPool2D.ForwardFloat(p, input, output, min, max);
            return GradientCheck.Dot(r, output);
        }

        GradientCheck.AssertMatches(input, inputGrad, Loss, "input");
    }
}
