namespace Forge.Data.Loading;

/// <summary>0, 1, ..., count-1 every epoch (validation).</summary>
public sealed class SequentialSampler(int count) : IIndexSampler
{
    public int Count { get; } = count >= 0 ? count : throw new ArgumentOutOfRangeException(nameof(count), count, "must not be negative");

    public int[] EpochIndices(int epoch)
    {
        var indices = new int[Count];
        for (int i = 0; i < indices.Length; i++) indices[i] = i;
        return indices;
    }
}
