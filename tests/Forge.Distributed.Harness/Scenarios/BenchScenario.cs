using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Distributed.Harness;

/// <summary>All-reduce throughput, then the reducer's cost per step for a YOLOv8n-sized gradient set (not a test: prints timings).</summary>
internal static class BenchScenario
{
    public static void Run(ICommunicator comm)
    {
        AllReduceBenchmark.Run(comm);

        // About YOLOv8n (3.15 M parameters): 43 3x3 convolutions of ~73 k weights each, with BatchNorm weight and bias.
        var shapes = new List<long[]>();
        for (int i = 0; i < 43; i++)
        {
            long c = 16L << (i % 5);
            shapes.Add(new[] { c, Math.Max(1, 73_000 / (c * 9)), 3, 3 });
            shapes.Add(new[] { c });
            shapes.Add(new[] { c });
        }
        long total = shapes.Sum(s => s.Aggregate(1L, (a, b) => a * b));
        var parameters = shapes.Select((s, i) => ($"p{i}", (Tensor)torch.nn.Parameter(torch.zeros(s)))).ToArray();
        foreach (var (_, p) in parameters) p.grad = torch.randn(p.shape);
        using var reducer = new GradientBucketReducer(comm, parameters);
        reducer.ReduceAndAverage();   // warm-up
        const int steps = 10;
        comm.Barrier();
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < steps; i++) reducer.ReduceAndAverage();
        var seconds = new[] { Stopwatch.GetElapsedTime(start).TotalSeconds / steps };
        comm.AllReduceMax(seconds);
        if (comm.IsMain)
            Console.WriteLine($"gradient reducer: {total / 1e6:F2} M params in {parameters.Length} tensors, {reducer.BucketCount} bucket(s): {seconds[0] * 1e3:F1} ms/step");
    }
}
