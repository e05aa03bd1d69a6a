using System.Runtime.InteropServices;

namespace Forge.Distributed.Harness;

/// <summary>Every ICommunicator collective against values each rank can compute on its own.</summary>
internal static class CollectivesScenario
{
    [StructLayout(LayoutKind.Sequential)]
    record struct RankInfo(int Rank, double Score, long Samples);

    public static void Run(ICommunicator comm)
    {
        int w = comm.WorldSize, r = comm.Rank;
        Expect.Equal("mpi", comm.Backend, "backend");
        Expect.Equal(r == 0, comm.IsMain, "IsMain");
        var launch = LaunchEnvironment.Current();
        Expect.Equal(Launcher.OpenMpi, launch.Launcher, "launcher");
        Expect.Equal(r, launch.Rank, "rank from environment");
        Expect.Equal(w, launch.WorldSize, "world size from environment");
        Expect.Equal(launch.LocalRank, comm.LocalRank, "local rank (MPI_Comm_split_type vs OMPI_COMM_WORLD_LOCAL_RANK)");
        Expect.Equal(launch.LocalSize, comm.LocalSize, "local size");
        comm.Barrier();

        // Open MPI installs signal handlers at MPI_Init; .NET turns SIGSEGV into NullReferenceException and must still do so.
        Expect.Throws<NullReferenceException>(() => _ = ((string?)Environment.GetEnvironmentVariable("FORGE_NO_SUCH_VARIABLE"))!.Length,
            "NullReferenceException is still catchable after MPI_Init");

        // Sums: rank r contributes r+1 (and i*(r+1) at position i), so the total is known in closed form.
        long tri = (long)w * (w + 1) / 2;
        var f = new float[1000];
        for (int i = 0; i < f.Length; i++) f[i] = i * (r + 1);
        comm.AllReduceSum(f);
        for (int i = 0; i < f.Length; i++) Expect.Equal((float)(i * tri), f[i], $"float sum [{i}]");
        var d = new[] { 0.5 * (r + 1), -1.0 };
        comm.AllReduceSum(d);
        Expect.Equal(0.5 * tri, d[0], "double sum");
        Expect.Equal(-1.0 * w, d[1], "double sum of constants");
        var l = new[] { (long)(r + 1) << 40, r };
        comm.AllReduceSum(l);
        Expect.Equal(tri << 40, l[0], "int64 sum beyond 32 bits");

        var mx = new[] { (double)r, -r };
        comm.AllReduceMax(mx);
        Expect.Equal((double)(w - 1), mx[0], "double max");
        Expect.Equal(0.0, mx[1], "double max of negatives");
        var mn = new[] { (double)r + 3 };
        comm.AllReduceMin(mn);
        Expect.Equal(3.0, mn[0], "double min");
        var lmx = new[] { (long)r * 7, -(long)r };
        comm.AllReduceMax(lmx);
        Expect.Equal((long)(w - 1) * 7, lmx[0], "int64 max");
        var lmn = new[] { (long)r * 7, -(long)r };
        comm.AllReduceMin(lmn);
        Expect.Equal(0L, lmn[0], "int64 min");
        Expect.Equal(-(long)(w - 1), lmn[1], "int64 min of negatives");

        // A large buffer (several MiB) exercises the shared-memory large-message path.
        var big = new float[3 << 20];
        for (int i = 0; i < big.Length; i++) big[i] = (i % 97) + r;
        comm.AllReduceSum(big);
        long rankSum = tri - w;
        for (int i = 0; i < big.Length; i += 4099) Expect.Equal((float)((i % 97) * w + rankSum), big[i], $"large sum [{i}]");

        // Broadcast from the last rank, of bytes, floats and a struct.
        int root = w - 1;
        var bytes = new byte[257];
        if (r == root) for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)(i * 3);
        comm.Broadcast<byte>(bytes, root);
        for (int i = 0; i < bytes.Length; i++) Expect.Equal((byte)(i * 3), bytes[i], $"byte broadcast [{i}]");
        var fb = r == 0 ? new[] { 1.5f, float.NaN, float.NegativeInfinity } : new float[3];
        comm.Broadcast<float>(fb, 0);
        Expect.True(fb[0] == 1.5f && float.IsNaN(fb[1]) && float.IsNegativeInfinity(fb[2]), "float broadcast keeps special values");
        var info = new[] { new RankInfo(r, r * 0.25, r * 1000L) };
        comm.Broadcast<RankInfo>(info, root);
        Expect.Equal(new RankInfo(root, root * 0.25, root * 1000L), info[0], "struct broadcast");
        Expect.Throws<ArgumentOutOfRangeException>(() => comm.Broadcast<byte>(bytes, w), "broadcast from a rank outside the world");

        // Gathers.
        var ranks = comm.AllGather(r * 10);
        for (int k = 0; k < w; k++) Expect.Equal(k * 10, ranks[k], $"allgather int [{k}]");
        var infos = comm.AllGather(new RankInfo(r, r * 0.25, r * 1000L));
        for (int k = 0; k < w; k++) Expect.Equal(new RankInfo(k, k * 0.25, k * 1000L), infos[k], $"allgather struct [{k}]");

        // Variable lengths, including an empty contribution from rank 0.
        var mine = new byte[r * 5];
        for (int i = 0; i < mine.Length; i++) mine[i] = (byte)(r * 16 + i);
        var all = comm.AllGatherBytes(mine);
        Expect.Equal(w, all.Length, "allgatherv rank count");
        for (int k = 0; k < w; k++)
        {
            Expect.Equal(k * 5, all[k].Length, $"allgatherv length of rank {k}");
            for (int i = 0; i < all[k].Length; i++) Expect.Equal((byte)(k * 16 + i), all[k][i], $"allgatherv rank {k} [{i}]");
        }
        var empty = comm.AllGatherBytes(ReadOnlySpan<byte>.Empty);
        Expect.True(empty.All(e => e.Length == 0), "allgatherv of empty buffers");
    }
}
