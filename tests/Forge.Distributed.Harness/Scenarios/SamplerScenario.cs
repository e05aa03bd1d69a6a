namespace Forge.Distributed.Harness;

/// <summary>The samplers built independently on each rank partition the dataset as promised, checked on the gathered shards.</summary>
internal static class SamplerScenario
{
    public static void Run(ICommunicator comm)
    {
        int w = comm.WorldSize;
        foreach (int count in new[] { 0, 1, 10, 11, 1001 })
        {
            for (int epoch = 0; epoch < 2; epoch++)
            {
                var train = new DistributedSampler(count, comm, shuffle: true, seed: 5);
                var shards = Gather(comm, train.EpochIndices(epoch));
                int shard = (count + w - 1) / w;
                var seen = new int[count];
                foreach (var s in shards)
                {
                    Expect.Equal(shard, s.Length, $"train shard length (count {count})");
                    foreach (int i in s) seen[i]++;
                }
                Expect.True(seen.All(c => c >= 1), $"train shards cover the dataset (count {count}, epoch {epoch})");
                Expect.Equal(shard * w - count, seen.Sum(c => c - 1), $"only padding repeats (count {count})");

                var validation = new DistributedValidationSampler(count, comm);
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
