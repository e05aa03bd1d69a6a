using Forge.Data.Loading;

namespace Forge.Data.Tests.Loading;

public class DistributedValidationSamplerTests
{
    [Theory]
    [InlineData(0, 2)]
    [InlineData(1, 3)]
    [InlineData(10, 3)]
    [InlineData(11, 4)]
    [InlineData(1001, 8)]
    public void RanksTogetherValidateEverySampleOnceInStridedShards(int count, int world)
    {
        var shards = Enumerable.Range(0, world).Select(r => new DistributedValidationSampler(count, r, world)).ToArray();
        Assert.Equal(Enumerable.Range(0, count), shards.SelectMany(s => s.EpochIndices(0)).Order());
        foreach (var s in shards)
        {
            Assert.Equal(s.Count, s.EpochIndices(3).Length);
            Assert.Equal(s.EpochIndices(0), s.EpochIndices(3));   // the same every epoch
            Assert.All(s.EpochIndices(0), i => Assert.Equal(s.Rank, i % world));
        }
        Assert.True(shards.Max(s => s.Count) - shards.Min(s => s.Count) <= 1, "shard lengths differ by at most one");
    }

    [Fact]
    public void BadRanksAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DistributedValidationSampler(5, 2, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DistributedValidationSampler(5, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DistributedValidationSampler(-1, 0, 1));
    }
}
