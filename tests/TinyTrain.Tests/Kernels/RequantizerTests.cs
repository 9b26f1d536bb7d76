using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TinyTrain.Kernels;

namespace TinyTrain.Tests.Kernels;

public class RequantizerTests
{
    private static readonly int[] EdgeSums = [int.MinValue, int.MinValue + 1, -(1 << 30), -1, 0, 1, 1 << 30, int.MaxValue - 1, int.MaxValue];

    [Theory]
    [InlineData(RequantMode.Float)]
    [InlineData(RequantMode.FixedPoint)]
    public void VectorForms_MatchScalarApplyLaneForLane(RequantMode mode)
    {
        var random = new Random(mode == RequantMode.Float ? 41 : 42);
        int vectorized = 0;
        for (int trial = 0; trial < 3000; trial++)
        {
            const int channels = 16;
            var requant = KernelRandom.Requant(random, mode, channels);
            var bias = KernelRandom.Bias(random, channels);
            int zeroPoint = KernelRandom.ZeroPoint(random);
            var (min, max) = KernelRandom.Activation(random, zeroPoint);
            var requantizer = new Requantizer(requant, bias, zeroPoint, min, max);
            var sums = new int[channels];
            for (int i = 0; i < channels; i++)
            {
                sums[i] = random.Next(4) switch
                {
                    0 => EdgeSums[random.Next(EdgeSums.Length)],
                    1 => random.Next(int.MinValue, int.MaxValue),
                    _ => random.Next(-3_000_000, 3_000_000),
                };
            }

            var expected = new int[channels];
            for (int i = 0; i < channels; i++)
            {
                expected[i] = requantizer.Apply(i, sums[i]);
            }

            if (requantizer.TryApply(4, Vector128.Create(sums.AsSpan(4, 4)), out var v128))
            {
                vectorized++;
                Assert.Equal(expected.AsSpan(4, 4).ToArray(), ToArray(v128));
            }

            if (requantizer.TryApply(8, Vector256.Create(sums.AsSpan(8, 8)), out var v256))
            {
                vectorized++;
                Assert.Equal(expected.AsSpan(8, 8).ToArray(), ToArray(v256));
            }

            if (requantizer.TryApply(0, Vector512.Create(sums.AsSpan(0, 16)), out var v512))
            {
                vectorized++;
                Assert.Equal(expected, ToArray(v512));
            }
        }

        // The vector forms must actually run where they can: always for Float, with AVX2 for FixedPoint.
        if (mode == RequantMode.Float || Avx2.IsSupported)
        {
            Assert.True(vectorized > 3000, $"only {vectorized} vectorised requantisations");
        }
    }

    [Fact]
    public void FixedPointVectorForms_SaturateMinValueTimesMinValue()
    {
        // The one overflow of SaturatingRoundingDoublingHighMul: both operands int.MinValue.
        int[] sums = [int.MinValue, int.MaxValue, 0, int.MinValue, int.MinValue, 5, -5, int.MinValue];
        foreach (int shift in new[] { 0, -3, -31 })
        {
            var requantizer = new Requantizer(Requantization.FromFixedPoint([int.MinValue], [shift]), [], 0, -128, 127);
            var expected = new int[sums.Length];
            for (int channel = 0; channel < sums.Length; channel++)
            {
                expected[channel] = requantizer.Apply(channel, sums[channel]);
            }

            if (requantizer.TryApply(0, Vector256.Create(sums), out var v256))
            {
                Assert.Equal(expected, ToArray(v256));
            }

            if (requantizer.TryApply(4, Vector128.Create(sums.AsSpan(4, 4)), out var v128))
            {
                Assert.Equal(expected[4..], ToArray(v128));
            }

            Assert.Equal(Avx2.IsSupported, requantizer.TryApply(0, Vector256.Create(sums), out _));
        }
    }

    [Fact]
    public void FixedPointVectorForms_LeftShiftsWrapAsTheScalarForm()
    {
        // Multipliers above 1 (TFLite shift > 0): x * 2^shift wraps in int32 before the high multiply, in both forms.
        var random = new Random(43);
        for (int trial = 0; trial < 500; trial++)
        {
            var multipliers = new int[8];
            var shifts = new int[8];
            var sums = new int[8];
            for (int i = 0; i < 8; i++)
            {
                multipliers[i] = random.Next(2) == 0 ? int.MinValue : random.Next(1 << 30, int.MaxValue);
                shifts[i] = random.Next(4) == 0 ? random.Next(-31, 32) : random.Next(1, 32);
                sums[i] = random.Next(3) == 0 ? EdgeSums[random.Next(EdgeSums.Length)] : random.Next(-100_000, 100_000);
            }

            var requantizer = new Requantizer(Requantization.FromFixedPoint(multipliers, shifts), [], random.Next(-128, 128), -128, 127);
            var expected = new int[8];
            for (int channel = 0; channel < 8; channel++)
            {
                expected[channel] = requantizer.Apply(channel, sums[channel]);
            }

            Assert.Equal(Avx2.IsSupported, requantizer.TryApply(0, Vector256.Create(sums), out var v256));
            if (Avx2.IsSupported)
            {
                Assert.Equal(expected, ToArray(v256));
                Assert.True(requantizer.TryApply(4, Vector128.Create(sums.AsSpan(4, 4)), out var v128));
                Assert.Equal(expected[4..], ToArray(v128));
            }
        }
    }

    private static int[] ToArray(Vector128<int> vector)
    {
        var values = new int[4];
        vector.CopyTo(values);
        return values;
    }

    private static int[] ToArray(Vector256<int> vector)
    {
        var values = new int[8];
        vector.CopyTo(values);
        return values;
    }

    private static int[] ToArray(Vector512<int> vector)
    {
        var values = new int[16];
        vector.CopyTo(values);
        return values;
    }
}
