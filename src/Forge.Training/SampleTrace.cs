using Forge.Data.Loading;

namespace Forge.Training;

/// <summary>
/// Optional record of which dataset samples each rank trained on (one "epoch index" line per sample), enabled by the test
/// hook <see cref="TrainerOptions.SampleTrace"/>=path-prefix; rank r appends to path-prefix.rank{r}. Used to check that
/// resuming, on any number of ranks, sees every sample of an epoch exactly once.
/// </summary>
public sealed class SampleTrace : IDisposable
{
    readonly StreamWriter writer;
    readonly int[] order;
    readonly int rankBatch;
    readonly int epoch;

    SampleTrace(StreamWriter writer, int[] order, int rankBatch, int epoch)
    {
        this.writer = writer;
        this.order = order;
        this.rankBatch = rankBatch;
        this.epoch = epoch;
    }

    /// <summary>A trace appending to <c>{prefix}.rank{rank}</c>, or null when <paramref name="prefix"/> is null (no trace).</summary>
    public static SampleTrace? Open(string? prefix, int rank, int epoch, GlobalBatchShardSampler shard)
    {
        if (string.IsNullOrEmpty(prefix)) return null;
        var w = new StreamWriter($"{prefix}.rank{rank}", append: true) { AutoFlush = true };
        return new SampleTrace(w, shard.EpochIndices(epoch), shard.RankBatch, epoch);
    }

    /// <summary>Records the samples of this rank's batch for global step <paramref name="step"/> of the (possibly resumed) epoch.</summary>
    public void Record(int step, int size)
    {
        for (int i = 0; i < size; i++) writer.WriteLine($"{epoch} {order[step * rankBatch + i]}");
    }

    public void Dispose() => writer.Dispose();
}
