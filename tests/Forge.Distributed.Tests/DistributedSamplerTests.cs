using Forge.Distributed;

namespace Forge.Distributed.Tests;

public class DistributedSamplerTests
{
    static int[][] Shards(int count, int world, int epoch, bool shuffle = true, int seed = 0)
        => Enumerable.Range(0, world).Select(r => new DistributedSampler(count, r, world, shuffle, seed).EpochIndices(epoch)).ToArray();

    [Theory]
    [InlineData(10, 2)]
    [InlineData(11, 2)]
    [InlineData(101, 4)]
    [InlineData(3, 8)]   // fewer samples than ranks: padding repeats the order several times
    [InlineData(1, 3)]
    public void ShardsAreEqualLengthCoverEverythingAndRepeatOnlyThePadding(int count, int world)
    {
        var shards = Shards(count, world, epoch: 4, seed: 9);
        int shard = (count + world - 1) / world;
        var seen = new int[count];
        foreach (var s in shards)
        {
            Assert.Equal(shard, s.Length);
            foreach (int i in s) seen[i]++;
        }
        Assert.All(seen, c => Assert.True(c >= 1));
        Assert.Equal(shard * world - count, seen.Sum(c => c - 1));
    }

    [Fact]
    public void ShardsAreDisjointWhenNoPaddingIsNeeded()
    {
        var shards = Shards(12, 3, epoch: 1);
        var all = shards.SelectMany(s => s).ToArray();
        Assert.Equal(12, all.Distinct().Count());
    }

    [Fact]
    public void RankTakesEveryWorldSizeThPositionOfTheSharedOrder()
    {
        var sampler = new DistributedSampler(10, 1, 3, shuffle: true, seed: 2);
        var order = sampler.Order(5);
        // Padded order: order ++ order[0..1]; rank 1 takes positions 1, 4, 7, 10.
        Assert.Equal(new[] { order[1], order[4], order[7], order[0] }, sampler.EpochIndices(5));
    }

    [Fact]
    public void SameSeedAndEpochGiveTheSameIndicesOnEveryCall()
    {
        var a = new DistributedSampler(1000, 1, 4, seed: 17);
        var b = new DistributedSampler(1000, 1, 4, seed: 17);
        Assert.Equal(a.EpochIndices(3), b.EpochIndices(3));
        Assert.Equal(a.EpochIndices(3), a.EpochIndices(3));
    }

    [Fact]
    public void EachEpochAndSeedReshuffles()
    {
        var s = new DistributedSampler(1000, 0, 1, seed: 17);
        Assert.NotEqual(s.Order(0), s.Order(1));
        Assert.NotEqual(s.Order(0), new DistributedSampler(1000, 0, 1, seed: 18).Order(0));
        Assert.Equal(Enumerable.Range(0, 1000), s.Order(1).Order());   // still a permutation
    }

    [Fact]
    public void WithoutShuffleRanksStrideThroughTheDataset()
    {
        Assert.Equal(new[] { 1, 3, 5, 7, 9 }, new DistributedSampler(10, 1, 2, shuffle: false).EpochIndices(7));
        Assert.Equal(new[] { 2, 5, 8, 1 }, new DistributedSampler(10, 2, 3, shuffle: false).EpochIndices(0));
    }

    [Fact]
    public void ShuffleIsRoughlyUniform()
    {
        // Where index 0 lands over many epochs: each of 8 positions about 1/8 of the time.
        var s = new DistributedSampler(8, 0, 1, seed: 1);
        var hits = new int[8];
        const int epochs = 8000;
        for (int e = 0; e < epochs; e++) hits[Array.IndexOf(s.Order(e), 0)]++;
        Assert.All(hits, h => Assert.InRange(h, epochs / 8 * 0.85, epochs / 8 * 1.15));
    }

    [Fact]
    public void EmptyDatasetGivesEmptyShards()
    {
        Assert.Empty(new DistributedSampler(0, 1, 2).EpochIndices(0));
        Assert.Empty(new DistributedValidationSampler(0, 0, 2).EpochIndices(0));
    }

    [Fact]
    public void RejectsBadArguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DistributedSampler(10, 2, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DistributedSampler(-1, 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DistributedValidationSampler(10, 0, 0));
    }

    [Theory]
    [InlineData(10, 3)]
    [InlineData(2, 4)]
    [InlineData(9, 3)]
    public void ValidationShardsCoverEverySampleExactlyOnce(int count, int world)
    {
        var shards = Enumerable.Range(0, world).Select(r => new DistributedValidationSampler(count, r, world)).ToArray();
        var all = shards.SelectMany(s => s.EpochIndices(0)).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, count), all);
        Assert.True(shards.Max(s => s.ShardLength) - shards.Min(s => s.ShardLength) <= 1);
        Assert.All(shards, s => Assert.Equal(s.ShardLength, s.EpochIndices(3).Length));
        Assert.Equal(new[] { 1, 1 + world }.Where(i => i < count), shards[1].EpochIndices(0).Take(2));
    }

    [Fact]
    public void SplitMix64MatchesTheReferenceSequence()
    {
        var rng = new SplitMix64(0);
        Assert.Equal(0xE220A8397B1DCDAFUL, rng.Next());
        Assert.Equal(0x6E789E6AA1B965F4UL, rng.Next());
        Assert.Equal(0x06C45D188009454FUL, rng.Next());
    }

    [Fact]
    public void BoundedDrawsStayInRange()
    {
        var rng = new SplitMix64(3);
        for (int i = 0; i < 10000; i++) Assert.InRange(rng.NextBelow(7), 0u, 6u);
        Assert.Equal(0u, rng.NextBelow(1));
    }
}
