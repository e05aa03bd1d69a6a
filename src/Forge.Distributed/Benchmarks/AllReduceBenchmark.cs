using System.Diagnostics;

namespace Forge.Distributed;

/// <summary>One all-reduce size's timing: the slowest rank's mean time per call.</summary>
/// <param name="AlgorithmMBps">Buffer size / time (MiB/s).</param>
/// <param name="BusMBps">Algorithm bandwidth x 2(W-1)/W, the traffic a ring all-reduce moves per rank (NCCL-tests convention).</param>
public sealed record AllReduceTiming(int SizeMb, int Iterations, double SecondsPerCall, double AlgorithmMBps, double BusMBps);

/// <summary>Measures float32 sum all-reduce throughput over the communicator, the cost that bounds data-parallel scaling.</summary>
public static class AllReduceBenchmark
{
    public static readonly int[] DefaultSizesMb = { 1, 4, 16, 64 };

    /// <summary>
    /// Runs on every rank (it is collective) and prints a table on rank 0. Each size is warmed up once, then timed over enough
    /// calls to take a moment; every rank uses the same iteration counts.
    /// </summary>
    public static IReadOnlyList<AllReduceTiming> Run(ICommunicator comm, IEnumerable<int>? sizesMb = null, TextWriter? output = null)
    {
        output ??= Console.Out;
        var results = new List<AllReduceTiming>();
        var seconds = new double[1];
        if (comm.IsMain) output.WriteLine($"all-reduce (float32 sum) over {comm.WorldSize} rank(s), backend {comm.Backend}");
        foreach (int mb in sizesMb ?? DefaultSizesMb)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(mb, 1, nameof(sizesMb));
            var buffer = new float[(long)mb * (1 << 20) / sizeof(float)];
            for (int i = 0; i < buffer.Length; i++) buffer[i] = comm.Rank + 1;
            int iterations = Math.Clamp(256 / mb, 3, 50);
            comm.AllReduceSum(buffer);   // warm-up: connection set-up, page faults
            comm.Barrier();
            long start = Stopwatch.GetTimestamp();
            for (int it = 0; it < iterations; it++) comm.AllReduceSum(buffer);
            seconds[0] = Stopwatch.GetElapsedTime(start).TotalSeconds / iterations;
            comm.AllReduceMax(seconds);
            double algo = mb / seconds[0];
            double bus = comm.WorldSize > 1 ? algo * 2 * (comm.WorldSize - 1) / comm.WorldSize : algo;
            var timing = new AllReduceTiming(mb, iterations, seconds[0], algo, bus);
            results.Add(timing);
            if (comm.IsMain)
                output.WriteLine($"  {mb,4} MiB  {iterations,3} calls  {seconds[0] * 1e3,9:F2} ms/call  {algo,9:F0} MiB/s algorithm  {bus,9:F0} MiB/s bus");
        }
        return results;
    }
}
