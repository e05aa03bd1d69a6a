using Forge.Data.Loading;

namespace Forge.Data.Tests.Loading;

public class GlobalBatchShardSamplerTests
{
    static int[][] Shards(int count, int batch, int world, int epoch, int start = 0, int seed = 5) =>
        Enumerable.Range(0, world).Select(r => new GlobalBatchShardSampler(new ShuffleSampler(count, seed), batch, r, world, start).EpochIndices(epoch)).ToArray();

    [Theory]
    [InlineData(32, 8, 2)]
    [InlineData(30, 8, 2)]   // a final global batch of 6: rank 0 takes 4, rank 1 takes 2
    [InlineData(29, 12, 4)]  // a final global batch of 5: ranks take 3, 2, 0, 0
    [InlineData(7, 8, 4)]    // fewer samples than one global batch
    public void RanksTogetherSeeEverySampleOnceWithoutPadding(int count, int batch, int world)
    {
        var shards = Shards(count, batch, world, epoch: 3);
        Assert.Equal(Enumerable.Range(0, count), shards.SelectMany(s => s).Order());
    }

    [Fact]
    public void EveryGlobalStepHoldsTheSameSamplesWhateverTheNumberOfRanks()
    {
        // Step k of the epoch is order[k*B, (k+1)*B) for 1, 2 and 4 ranks: N ranks compute the update one process would.
        const int count = 37, batch = 8;
        var order = new ShuffleSampler(count, 5).EpochIndices(2);
        foreach (int world in new[] { 1, 2, 4 })
        {
            var shards = Shards(count, batch, world, epoch: 2);
            int b = batch / world;
            for (int step = 0; step * batch < count; step++)
            {
                var expected = order.Skip(step * batch).Take(batch).Order();
                var got = shards.SelectMany(s => s.Skip(step * b).Take(Math.Min(b, Math.Max(0, s.Length - step * b)))).Order();
                Assert.Equal(expected, got);
            }
        }
    }

    [Fact]
    public void ShardsAreDisjointAndReshuffledEachEpochDeterministically()
    {
        var e0 = Shards(40, 8, 2, epoch: 0);
        var e1 = Shards(40, 8, 2, epoch: 1);
        Assert.Empty(e0[0].Intersect(e0[1]));
        Assert.NotEqual(e0[0], e1[0]);
        Assert.Equal(e1[0], Shards(40, 8, 2, epoch: 1)[0]);
    }

    [Theory]
    [InlineData(2, 1)]
    [InlineData(1, 2)]
    [InlineData(2, 4)]
    public void ResumingAtAGlobalBatchBoundaryOnAnotherRankCountCompletesTheEpochExactly(int before, int after)
    {
        const int count = 50, batch = 8, stepsDone = 3;
        var first = Shards(count, batch, before, epoch: 4).SelectMany(s => s.Take(stepsDone * batch / before));
        var rest = Shards(count, batch, after, epoch: 4, start: stepsDone * batch).SelectMany(s => s);
        Assert.Equal(Enumerable.Range(0, count), first.Concat(rest).Order());
    }

    [Fact]
    public void StepCountsAndSizesAreTheSameOnEveryRank()
    {
        var samplers = Enumerable.Range(0, 4).Select(r => new GlobalBatchShardSampler(new SequentialSampler(29), 12, r, 4)).ToArray();
        Assert.All(samplers, s => Assert.Equal(3, s.GlobalSteps));
        Assert.All(samplers, s => Assert.Equal(5, s.GlobalStepSize(2)));
        Assert.Equal([9, 8, 6, 6], samplers.Select(s => s.Count));
    }

    [Fact]
    public void GlobalBatchMustSplitEvenly()
    {
        var e = Assert.Throws<ArgumentException>(() => new GlobalBatchShardSampler(new SequentialSampler(10), 10, 0, 4));
        Assert.Contains("batch=10", e.Message);
        Assert.Contains("multiple of the number of processes (4)", e.Message);
    }
}
