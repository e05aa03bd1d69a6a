namespace Forge.Data.Loading;

/// <summary>
/// Validation sampler for data-parallel runs: rank r takes r, r+W, r+2W, ... in dataset order, with no padding, so every sample
/// is evaluated exactly once across ranks (metrics stay exact). Shard lengths differ by at most one; code that loops over
/// batches must not place collectives inside the per-batch loop (gather results once at the end).
/// </summary>
public sealed class DistributedValidationSampler : IIndexSampler
{
    /// <summary>Dataset size.</summary>
    public int DatasetCount { get; }
    public int Rank { get; }
    public int WorldSize { get; }
    /// <summary>Indices this rank gets: ceil((DatasetCount - Rank) / WorldSize).</summary>
    public int Count { get; }

    /// <exception cref="ArgumentOutOfRangeException">count is negative, worldSize below 1 or rank outside 0..worldSize-1.</exception>
    public DistributedValidationSampler(int count, int rank, int worldSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(worldSize, 1);
        if ((uint)rank >= (uint)worldSize) throw new ArgumentOutOfRangeException(nameof(rank), rank, $"rank must be in 0..{worldSize - 1}");
        DatasetCount = count;
        Rank = rank;
        WorldSize = worldSize;
        Count = rank >= count ? 0 : (int)(((long)count - rank + worldSize - 1) / worldSize);
    }

    /// <summary>This rank's indices (the same every epoch).</summary>
    public int[] EpochIndices(int epoch)
    {
        var shard = new int[Count];
        for (int k = 0; k < shard.Length; k++) shard[k] = Rank + k * WorldSize;
        return shard;
    }
}
