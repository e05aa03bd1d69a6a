namespace Forge.Data.Loading;

/// <summary>Decides which dataset indices an epoch visits and in what order (a distributed sampler shards them per rank).</summary>
public interface IIndexSampler
{
    /// <summary>How many indices every epoch yields.</summary>
    int Count { get; }

    /// <summary>The dataset indices of <paramref name="epoch"/>, in visiting order; a pure function of the epoch.</summary>
    int[] EpochIndices(int epoch);
}
