using Forge.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Distributed.Harness;

/// <summary>The bucket reducer leaves every rank with the mean of all ranks' gradients, computed here locally as the reference.</summary>
internal static class GradientReducerScenario
{
    static readonly long[][] Shapes = { new long[] { 3, 5 }, new long[] { 7 }, new long[] { 40, 3 }, new long[] { 2, 2 } };

    public static void Run(ICommunicator comm)
    {
        KnownGradients(comm);
        RealBackward(comm);
    }

    // Gradients drawn from a seed per (step, rank), so any rank can recompute every rank's gradients.
    static Tensor[] GradientsOf(int step, int rank)
    {
        torch.manual_seed(7919 * step + rank);
        return Shapes.Select(s => torch.randn(s)).ToArray();
    }

    static void KnownGradients(ICommunicator comm)
    {
        int w = comm.WorldSize;
        var names = new[] { "a", "b", "c", "d" };
        var parameters = Shapes.Select(s => torch.nn.Parameter(torch.zeros(s))).ToArray();
        // 64-byte buckets: a (15 floats) | b (7) | c (120, larger than a bucket: alone) | d (4).
        GradientBucketReducer reducer;
        using (torch.NewDisposeScope())   // a trainer may build it inside a scope: its buffers must outlive the scope
            reducer = new GradientBucketReducer(comm, names.Zip(parameters, (n, p) => (n, (Tensor)p)), bucketBytes: 64);
        using var _ = reducer;
        Expect.Equal(4, reducer.BucketCount, "bucket count");
        Expect.Equal("c", reducer.BucketNames[2].Single(), "oversized parameter gets its own bucket");

        for (int step = 0; step < 3; step++)   // several steps: buffers are reused
        {
            var mine = GradientsOf(step, comm.Rank);
            for (int i = 0; i < parameters.Length; i++) parameters[i].grad = mine[i];
            reducer.ReduceAndAverage();

            var expected = GradientsOf(step, 0);
            for (int k = 1; k < w; k++)
            {
                var other = GradientsOf(step, k);
                for (int i = 0; i < expected.Length; i++) expected[i].AddInPlace(other[i]);
            }
            for (int i = 0; i < parameters.Length; i++)
            {
                expected[i].DivInPlace(w);
                using var g = parameters[i].grad!;
                // Two ranks: a+b is exact in either order, so the average must match bit for bit.
                bool same = w == 2 ? Expect.BitEqual(g, expected[i]) : g.allclose(expected[i], rtol: 1e-6, atol: 1e-7);
                Expect.True(same, $"step {step}: averaged gradient of '{names[i]}' equals the locally computed mean");
            }
        }
        Expect.Equal(3L, reducer.Calls, "call count");
        Expect.Equal(0, reducer.UnusedParameters.Count, "no unused parameters");
    }

    static void RealBackward(ICommunicator comm)
    {
        int w = comm.WorldSize;
        torch.manual_seed(42);   // identical replicas
        using var model = nn.Sequential(("fc1", nn.Linear(5, 6)), ("act", nn.Tanh()), ("fc2", nn.Linear(6, 2)));
        using var reducer = GradientBucketReducer.ForModule(model, comm);
        Expect.Equal(1, reducer.BucketCount, "a small model fits one default bucket");

        Tensor InputOf(int rank) { torch.manual_seed(500 + rank); return torch.randn(4, 5); }

        // Reference: the mean over ranks of the gradients each rank's batch produces.
        var reference = new Dictionary<string, Tensor>();
        for (int k = 0; k < w; k++)
        {
            model.zero_grad();
            using (var loss = model.call(InputOf(k)).Power(2).mean()) loss.backward();
            foreach (var (name, p) in model.named_parameters())
            {
                var g = p.grad!.clone();
                reference[name] = reference.TryGetValue(name, out var acc) ? acc.AddInPlace(g) : g;
            }
        }

        model.zero_grad();
        using (var loss = model.call(InputOf(comm.Rank)).Power(2).mean()) loss.backward();
        reducer.ReduceAndAverage();
        foreach (var (name, p) in model.named_parameters())
        {
            using var expected = reference[name].Over(w);
            Expect.True(p.grad!.allclose(expected, rtol: 1e-5, atol: 1e-7), $"gradient of '{name}' after backward equals the mean over ranks");
        }

        // And every rank holds exactly the same gradients.
        var mine = new List<byte>();
        foreach (var (_, p) in model.named_parameters()) mine.AddRange(p.grad!.contiguous().bytes.ToArray());
        var all = comm.AllGatherBytes(mine.ToArray());
        Expect.True(all.All(b => b.AsSpan().SequenceEqual(all[0])), "gradients are bit-identical across ranks");
    }
}
