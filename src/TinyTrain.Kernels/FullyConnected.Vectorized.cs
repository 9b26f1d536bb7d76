using System.Runtime.Intrinsics;

namespace TinyTrain.Kernels;

public static partial class FullyConnected
{
    // Float mode needs the exact sum: |(W - fzp)(x - xzp)| <= 65025, so int32 lanes are exact up to 2^15 inputs.
    private const int MaxExactDepth = 1 << 15;

    /// <summary>
    /// Four outputs at a time through <see cref="Int8DotProduct.Dot4"/>, which sums W * (x - xzp). The filter zero
    /// point is folded out: sum (W - fzp)(x - xzp) = sum W (x - xzp) - fzp * sum (x - xzp), all mod 2^32, which is
    /// the exact value whenever the true sum fits in int32. The last block of four overlaps the previous one (and
    /// ORs the same mask bits twice). Validated arguments, mask cleared or empty.
    /// </summary>
    private static void ForwardVectorized(
        FullyConnectedParams p, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias, Span<sbyte> output,
        Span<byte> mask, VectorWidth width)
    {
        var requantizer = new Requantizer(p.Requant, bias, p.OutputZeroPoint, p.ActMin, p.ActMax);
        Span<int> segment = stackalloc int[3];
        Span<int> sums = stackalloc int[4];
        int depth = p.InputDepth;
        int lastBlock = Math.Max(p.OutputDepth - 4, 0);
        int lastChannel = p.OutputDepth - 1;
        for (int batch = 0; batch < p.Batches; batch++)
        {
            ReadOnlySpan<sbyte> row = input.Slice(batch * depth, depth);
            int rowSum = 0;
            foreach (sbyte value in row)
            {
                rowSum += value - p.InputZeroPoint;
            }

            int filterCorrection = unchecked(p.FilterZeroPoint * rowSum);
            segment[0] = batch * depth;
            segment[1] = 0;
            segment[2] = depth;
            Span<sbyte> outputRow = output.Slice(batch * p.OutputDepth, p.OutputDepth);
            for (int block = 0; block < p.OutputDepth; block += 4)
            {
                int c0 = Math.Min(block, lastBlock);
                int c1 = Math.Min(c0 + 1, lastChannel);
                int c2 = Math.Min(c0 + 2, lastChannel);
                int c3 = Math.Min(c0 + 3, lastChannel);
                Int8DotProduct.Dot4(
                    width, input, filter, segment, c0 * depth, c1 * depth, c2 * depth, c3 * depth, p.InputZeroPoint, sums);
                var corrected = Vector128.Create((ReadOnlySpan<int>)sums) - Vector128.Create(filterCorrection);
                int rowIndex = batch * p.OutputDepth;
                if (c3 == c0 + 3 && requantizer.TryStore4(c0, corrected, outputRow, mask, rowIndex))
                {
                    continue;
                }

                outputRow[c0] = requantizer.Apply(c0, unchecked(sums[0] - filterCorrection), mask, rowIndex + c0);
                outputRow[c1] = requantizer.Apply(c1, unchecked(sums[1] - filterCorrection), mask, rowIndex + c1);
                outputRow[c2] = requantizer.Apply(c2, unchecked(sums[2] - filterCorrection), mask, rowIndex + c2);
                outputRow[c3] = requantizer.Apply(c3, unchecked(sums[3] - filterCorrection), mask, rowIndex + c3);
            }
        }
    }
}
