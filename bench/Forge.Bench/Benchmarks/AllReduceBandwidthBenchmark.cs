using System.Diagnostics;
using Forge.Bench.Harness;
using Forge.Distributed;

namespace Forge.Bench.Benchmarks;

/// <summary>
/// Float32 sum all-reduce over the job's ranks (Open MPI through <see cref="MpiCommunicator"/>): time per call and bandwidth
/// per buffer size, every call timed on its own after a barrier and counted at the slowest rank.
/// </summary>
public sealed class AllReduceBandwidthBenchmark : IBenchmark
{
    public string Name => "allreduce";
    public string Summary => "all-reduce bandwidth for 1, 4, 16, 64 MiB float32 buffers (run with nproc=2 or under mpirun -np 2)";
    public int MinRanks => 2;

    public IReadOnlyList<BenchKey> Keys { get; } =
    [
        new("sizes", "1,4,16,64", "buffer sizes in MiB"),
        new("iters", "10", "timed calls per size"),
        new("warmup", "2", "untimed calls per size"),
        new("library", "true", "also run Forge.Distributed's AllReduceBenchmark (mean per call) for comparison", ["true", "false"]),
    ];

    public int Run(BenchContext ctx)
    {
        var a = ctx.Args;
        var o = ctx.Out;
        var comm = ctx.Comm;
        int iters = a.Int("iters"), warmup = a.Int("warmup");
        if (iters < 1 || warmup < 0) throw new BenchUsageException("iters must be >= 1, warmup >= 0");
        var sizes = a.Ints("sizes");
        string library = comm is MpiCommunicator mpi ? mpi.LibraryVersion.Split('\n')[0].Trim() : comm.Backend;
        o.WriteLine($"method: {comm.WorldSize} ranks, {library}; per size {warmup} warm-up + {iters} timed calls, each after a barrier, timed on every rank;");
        o.WriteLine("        a call counts at its slowest rank. algorithm bandwidth = buffer / time; bus bandwidth = algorithm x 2(W-1)/W (the data");
        o.WriteLine("        each rank sends in a ring all-reduce, the NCCL-tests convention). MiB = 2^20 bytes. The result is checked after warm-up.");
        o.WriteLine();
        var table = new TextTable("MiB", "calls", "ms/call", "algorithm MiB/s", "bus MiB/s", "result");
        foreach (int mb in sizes)
        {
            if (mb < 1) throw new BenchUsageException($"sizes: {mb} MiB is too small (at least 1)");
            var buffer = new float[(long)mb * (1 << 20) / sizeof(float)];
            Array.Fill(buffer, comm.Rank + 1f);
            comm.AllReduceSum(buffer);
            float expected = comm.WorldSize * (comm.WorldSize + 1) / 2f;
            bool correct = buffer[0] == expected && buffer[^1] == expected;
            for (int i = 1; i < warmup; i++) comm.AllReduceSum(buffer);
            var local = new double[iters];
            for (int i = 0; i < iters; i++)
            {
                comm.Barrier();
                long t = Stopwatch.GetTimestamp();
                comm.AllReduceSum(buffer);
                local[i] = Stopwatch.GetElapsedTime(t).TotalSeconds;
            }
            var slowest = RankTimings.SlowestRank(comm, local);
            double bus = 2.0 * (comm.WorldSize - 1) / comm.WorldSize;
            var ms = Harness.Summary.Of(slowest.Select(s => s * 1e3).ToArray());
            var algo = Harness.Summary.Of(slowest.Select(s => mb / s).ToArray());
            var busBw = Harness.Summary.Of(slowest.Select(s => mb / s * bus).ToArray());
            table.Add(mb, iters, ms.Format("F2"), algo.Format("F0"), busBw.Format("F0"), correct ? "ok" : "WRONG");
        }
        table.Write(o);
        if (a.Bool("library"))
        {
            o.WriteLine();
            o.WriteLine("Forge.Distributed.AllReduceBenchmark (its own iteration counts; mean per call of the slowest rank):");
            AllReduceBenchmark.Run(comm, sizes, o);
        }
        return 0;
    }
}
