namespace Forge.Distributed;

/// <summary>
/// Training sampler for data-parallel runs, with PyTorch DistributedSampler's semantics: every epoch all ranks draw the same
/// permutation (seeded by seed and epoch), pad it to a multiple of the world size by repeating its start, and rank r takes
/// positions r, r+W, r+2W, ... So shards are disjoint within the padded order, equal in length (every rank runs the same
/// number of steps, which collectives require), and together cover the dataset; at most W-1 samples repeat per epoch.
/// </summary>
public sealed class DistributedSampler
{
    /// <summary>Dataset size.</summary>
    public int Count { get; }
    public int Rank { get; }
    public int WorldSize { get; }
    public bool Shuffle { get; }
    public int Seed { get; }
    /// <summary>Indices each rank gets per epoch: ceil(Count / WorldSize).</summary>
    public int ShardLength { get; }

    public DistributedSampler(int count, int rank, int worldSize, bool shuffle = true, int seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(worldSize, 1);
        if ((uint)rank >= (uint)worldSize) throw new ArgumentOutOfRangeException(nameof(rank), rank, $"rank must be in 0..{worldSize - 1}");
        Count = count;
        Rank = rank;
        WorldSize = worldSize;
        Shuffle = shuffle;
        Seed = seed;
        ShardLength = (int)(((long)count + worldSize - 1) / worldSize);
    }

    public DistributedSampler(int count, ICommunicator communicator, bool shuffle = true, int seed = 0)
        : this(count, communicator.Rank, communicator.WorldSize, shuffle, seed) { }

    /// <summary>This rank's indices for <paramref name="epoch"/>; the same arguments always give the same result.</summary>
    public int[] EpochIndices(int epoch)
    {
        var shard = new int[ShardLength];
        if (Count == 0) return shard;
        var order = Order(epoch);
        // Position p of the padded order is order[p % Count]: padding repeats the order from its start.
        for (int k = 0; k < shard.Length; k++)
            shard[k] = order[(int)(((long)k * WorldSize + Rank) % Count)];
        return shard;
    }

    /// <summary>The epoch's order before padding and sharding: a permutation of 0..Count-1 shared by all ranks.</summary>
    public int[] Order(int epoch)
    {
        var order = new int[Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        if (!Shuffle) return order;
        var rng = new SplitMix64(((ulong)(uint)Seed << 32) | (uint)epoch);
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = (int)rng.NextBelow((uint)i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }
}
