using TinyTrain.Kernels;

namespace TinyTrain.Tests.Kernels;

public class SliceMergeTests
{
    [Fact]
    public void Extract_then_merge_rebuilds_the_filter_and_merge_writes_only_the_trained_channels()
    {
        var random = new Random(3);
        var whole = KernelRandom.Int8(random, 6 * 10); // 6 rows of 10 input channels
        int[] channels = [7, 0, 3];
        var slice = new sbyte[6 * 3];
        SliceMerge.Extract(whole, channels, 10, slice);
        Assert.Equal(whole[1 * 10 + 7], slice[1 * 3 + 0]);
        Assert.Equal(whole[5 * 10 + 3], slice[5 * 3 + 2]);

        var merged = new sbyte[whole.Length];
        SliceMerge.Merge(whole, slice, channels, merged);
        Assert.Equal(whole, merged);

        for (var i = 0; i < slice.Length; i++) slice[i] = (sbyte)(100 + i);
        SliceMerge.Merge(whole, slice, channels, merged);
        for (var row = 0; row < 6; row++)
        {
            for (var c = 0; c < 10; c++)
            {
                var j = Array.IndexOf(channels, c);
                Assert.Equal(j < 0 ? whole[row * 10 + c] : (sbyte)(100 + row * 3 + j), merged[row * 10 + c]);
            }
        }
    }

    [Fact]
    public void Mismatched_sizes_and_channels_out_of_range_are_rejected()
    {
        var whole = new sbyte[20];
        Assert.Throws<ArgumentException>(() => SliceMerge.Merge(whole, new sbyte[5], [0, 1], new sbyte[20]));
        Assert.Throws<ArgumentException>(() => SliceMerge.Merge(whole, new sbyte[4], [0, 1], new sbyte[19]));
        Assert.Throws<ArgumentException>(() => SliceMerge.Extract(whole, [0, 10], 10, new sbyte[4]));
        Assert.Throws<ArgumentException>(() => SliceMerge.Extract(whole, [0], 3, new sbyte[7]));
    }
}
