namespace Forge.Data.Loading;

/// <summary>
/// One rank's share of an epoch in data-parallel training, built so that every optimizer step sees the same global batch
/// whatever the number of ranks: the epoch order (a shuffle of seed and epoch) is cut into global batches of
/// <c>globalBatch</c> samples and rank r takes positions [r*b, (r+1)*b) of each, b = globalBatch / worldSize. A final, shorter
/// global batch fills ranks in order, so a rank may get a short batch or none; nothing is padded or repeated. Starting at
/// <paramref name="startSample"/> (a multiple of the global batch) continues an interrupted epoch on any number of ranks with
/// no sample seen twice or skipped.
/// </summary>
public sealed class GlobalBatchShardSampler : IIndexSampler
{
    readonly IIndexSampler order;

    public int Rank { get; }
    public int WorldSize { get; }
    public int GlobalBatch { get; }
    public int RankBatch { get; }
    public int StartSample { get; }
    public int Count { get; }
    /// <summary>Global batches (optimizer micro-steps) in the epoch from <see cref="StartSample"/> on; the same on every rank.</summary>
    public int GlobalSteps { get; }

    public GlobalBatchShardSampler(IIndexSampler epochOrder, int globalBatch, int rank, int worldSize, int startSample = 0)
    {
        if (worldSize < 1 || rank < 0 || rank >= worldSize) throw new ArgumentOutOfRangeException(nameof(rank), $"rank {rank} of {worldSize}");
        if (globalBatch < worldSize || globalBatch % worldSize != 0)
            throw new ArgumentException($"batch={globalBatch} is the global batch and must be a multiple of the number of processes ({worldSize}); use batch={Math.Max(1, globalBatch / worldSize) * worldSize} or batch={(globalBatch / worldSize + 1) * worldSize}");
        if (startSample < 0 || startSample > epochOrder.Count || (startSample % globalBatch != 0 && startSample != epochOrder.Count))
            throw new ArgumentOutOfRangeException(nameof(startSample), startSample, $"must be a multiple of the global batch {globalBatch} within {epochOrder.Count} samples");
        order = epochOrder;
        Rank = rank;
        WorldSize = worldSize;
        GlobalBatch = globalBatch;
        RankBatch = globalBatch / worldSize;
        StartSample = startSample;
        int remaining = epochOrder.Count - startSample;
        GlobalSteps = (remaining + globalBatch - 1) / globalBatch;
        int full = remaining / globalBatch, tail = remaining % globalBatch;
        Count = full * RankBatch + TailShare(tail);
    }

    /// <summary>How many samples this rank takes from a final global batch of <paramref name="tail"/> samples.</summary>
    int TailShare(int tail) => Math.Clamp(tail - Rank * RankBatch, 0, RankBatch);

    /// <summary>Samples in global step <paramref name="step"/> (counted from <see cref="StartSample"/>) over all ranks.</summary>
    public int GlobalStepSize(int step) => Math.Min(GlobalBatch, order.Count - StartSample - step * GlobalBatch);

    public int[] EpochIndices(int epoch)
    {
        var all = order.EpochIndices(epoch);
        var mine = new int[Count];
        int n = 0;
        for (int start = StartSample; start < all.Length; start += GlobalBatch)
        {
            int from = start + Rank * RankBatch;
            int to = Math.Min(from + RankBatch, Math.Min(start + GlobalBatch, all.Length));
            for (int i = from; i < to; i++) mine[n++] = all[i];
        }
        return mine;
    }

    /// <summary>
    /// This rank's part of global batches planned with shapes of their own (rect=true: <see cref="ValidationBatches.Rect"/> over
    /// the epoch order): from the global step at <see cref="StartSample"/> on, positions [r*b, (r+1)*b) of each, with the
    /// batch's shape, so every rank's slice of a global batch is letterboxed to the same rectangle and the ranks together
    /// train on what one process would. A rank without images in the final, short batch gets no entry for it (as
    /// <see cref="EpochIndices"/>). The order must be the same every epoch (<see cref="FixedOrderSampler"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The planned batches are not this sampler's epoch order cut into global batches.</exception>
    public List<PlannedBatch> RankBatches(IReadOnlyList<PlannedBatch> globalBatches)
    {
        var all = order.EpochIndices(0);
        int position = 0;
        for (int g = 0; g < globalBatches.Count; g++)
        {
            var b = globalBatches[g];
            bool fits = position + b.Size <= all.Length && (b.Size == GlobalBatch || position + b.Size == all.Length);
            if (!fits || !b.Indices.AsSpan().SequenceEqual(all.AsSpan(position, b.Size)))
                throw new ArgumentException($"planned batch {g} does not follow the epoch order in global batches of {GlobalBatch}", nameof(globalBatches));
            position += b.Size;
        }
        if (position != all.Length)
            throw new ArgumentException($"the planned batches hold {position} samples, the epoch {all.Length}", nameof(globalBatches));
        var mine = new List<PlannedBatch>(globalBatches.Count);
        for (int g = (StartSample + GlobalBatch - 1) / GlobalBatch; g < globalBatches.Count; g++)
        {
            var b = globalBatches[g];
            int from = Rank * RankBatch, to = Math.Min(from + RankBatch, b.Size);
            if (to > from) mine.Add(b with { Indices = b.Indices[from..to] });
        }
        return mine;
    }
}
