using Forge.Core.Randomness;

namespace Forge.Data.Loading;

/// <summary>A fresh permutation every epoch: Fisher–Yates driven by a generator seeded from (seed, epoch), so a resumed run sees the same order.</summary>
public sealed class ShuffleSampler(int count, int seed) : IIndexSampler
{
    public int Count { get; } = count >= 0 ? count : throw new ArgumentOutOfRangeException(nameof(count), count, "must not be negative");
    public int Seed { get; } = seed;

    public int[] EpochIndices(int epoch)
    {
        var indices = new int[Count];
        for (int i = 0; i < indices.Length; i++) indices[i] = i;
        var rng = DeterministicRandom.ForEpoch(Seed, epoch);
        for (int i = indices.Length - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (indices[i], indices[j]) = (indices[j], indices[i]);
        }
        return indices;
    }
}
