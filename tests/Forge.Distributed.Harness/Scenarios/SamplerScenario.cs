using Forge.Data.Loading;

namespace Forge.Distributed.Harness;

/// <summary>
/// The shards Forge's trainer and validator take, built independently on each rank, cover every sample exactly once, checked
/// on the gathered shards: training's <see cref="GlobalBatchShardSampler"/> over the epoch's shuffle (two epochs, also a
/// resumed epoch) and validation's <see cref="ValidationBatches.Shard"/> of the planned batches (every image keeps its batch).
/// </summary>
internal static class SamplerScenario
{
    public static void Run(ICommunicator comm)
    {
        foreach (int count in new[] { 0, 1, 10, 11, 1001 })
        {
            for (int epoch = 0; epoch < 2; epoch++)
            {
                var order = new ShuffleSampler(count, seed: 7);
                foreach (int start in new[] { 0, count / (4 * comm.WorldSize) * 4 * comm.WorldSize })
                {
                    var train = new GlobalBatchShardSampler(order, 4 * comm.WorldSize, comm.Rank, comm.WorldSize, start);
                    ExpectOnce(Gather(comm, train.EpochIndices(epoch)), count, skip: order.EpochIndices(epoch)[..start], $"training shards (count {count}, epoch {epoch}, start {start})");
                }
            }
            var batches = ValidationBatches.Square(count, imgsz: 64, batchSize: 4);
            var mine = ValidationBatches.Shard(batches, comm.Rank, comm.WorldSize);
            ExpectOnce(Gather(comm, mine.SelectMany(b => b.Indices).ToArray()), count, skip: [], $"validation shards (count {count})");
        }
    }

    static void ExpectOnce(int[][] shards, int count, int[] skip, string what)
    {
        var seen = new int[count];
        foreach (int i in skip) seen[i]++;
        foreach (var s in shards) foreach (int i in s) seen[i]++;
        Expect.True(seen.All(c => c == 1), $"{what} cover every sample exactly once");
    }

    static int[][] Gather(ICommunicator comm, int[] mine)
    {
        var bytes = comm.AllGatherBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(mine.AsSpan()));
        return bytes.Select(b => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(b).ToArray()).ToArray();
    }
}
