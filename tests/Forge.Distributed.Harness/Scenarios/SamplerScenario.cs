using Forge.Data.Loading;

namespace Forge.Distributed.Harness;

/// <summary>Forge.Data's validation sampler, built independently on each rank, covers every sample exactly once, checked on the gathered shards.
/// (Training shards are Forge.Data's GlobalBatchShardSampler, a pure function of rank and world size, tested in Forge.Data.Tests.)</summary>
internal static class SamplerScenario
{
    public static void Run(ICommunicator comm)
    {
        foreach (int count in new[] { 0, 1, 10, 11, 1001 })
        {
            for (int epoch = 0; epoch < 2; epoch++)
            {
                var validation = new DistributedValidationSampler(count, comm.Rank, comm.WorldSize);
                var vShards = Gather(comm, validation.EpochIndices(epoch));
                var vSeen = new int[count];
                foreach (var s in vShards) foreach (int i in s) vSeen[i]++;
                Expect.True(vSeen.All(c => c == 1), $"validation shards cover every sample exactly once (count {count})");
            }
        }
    }

    static int[][] Gather(ICommunicator comm, int[] mine)
    {
        var bytes = comm.AllGatherBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(mine.AsSpan()));
        return bytes.Select(b => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(b).ToArray()).ToArray();
    }
}
