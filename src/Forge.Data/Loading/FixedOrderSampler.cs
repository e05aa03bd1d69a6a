namespace Forge.Data.Loading;

/// <summary>
/// The same order every epoch, given once (rect=true training: the images by aspect ratio, <see cref="ValidationBatches.AspectOrder"/>,
/// so that each global batch holds images of similar shape; Ultralytics turns shuffling off for it the same way).
/// </summary>
public sealed class FixedOrderSampler : IIndexSampler
{
    readonly int[] order;

    /// <exception cref="ArgumentException"><paramref name="order"/> is not a permutation of 0..n-1.</exception>
    public FixedOrderSampler(IReadOnlyList<int> order)
    {
        var seen = new bool[order.Count];
        foreach (int i in order)
        {
            if ((uint)i >= (uint)seen.Length || seen[i]) throw new ArgumentException($"not a permutation of 0..{order.Count - 1}: {i} is out of range or repeated", nameof(order));
            seen[i] = true;
        }
        this.order = order.ToArray();
    }

    public int Count => order.Length;

    public int[] EpochIndices(int epoch) => (int[])order.Clone();
}
