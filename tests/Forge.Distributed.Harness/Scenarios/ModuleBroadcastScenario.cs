using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Distributed.Harness;

/// <summary>Replicas initialised differently become bit-identical (parameters and BatchNorm buffers) after BroadcastModuleState.</summary>
internal static class ModuleBroadcastScenario
{
    static nn.Module<Tensor, Tensor> Model(int hidden) => nn.Sequential(
        ("fc1", nn.Linear(4, hidden)), ("bn", nn.BatchNorm1d(hidden)), ("act", nn.ReLU()), ("fc2", nn.Linear(hidden, 2)));

    public static void Run(ICommunicator comm)
    {
        int r = comm.Rank, w = comm.WorldSize;
        torch.manual_seed(1000 + r);
        using var model = Model(8);
        model.train();
        using (var x = torch.randn(16, 4)) using (model.call(x)) { }   // rank-specific BatchNorm running statistics

        var before = comm.AllGather(TensorCollectives.ModuleChecksum(model));
        Expect.True(before.Distinct().Count() == w, "replicas start different");
        Expect.Throws<InvalidOperationException>(() => TensorCollectives.VerifyIdenticalState(model, comm), "verification of differing replicas");

        TensorCollectives.BroadcastModuleState(model, comm, root: 0);
        var after = comm.AllGather(TensorCollectives.ModuleChecksum(model));
        for (int k = 0; k < w; k++) Expect.Equal(before[0], after[k], $"checksum of rank {k} equals rank 0's original");
        TensorCollectives.VerifyIdenticalState(model, comm);
        Console.WriteLine($"rank {r}: checksum {after[r]:x16}");

        // Buffers travel too: the running mean now equals rank 0's on every rank.
        using var mean = model.named_buffers().First(b => b.name == "bn.running_mean").buffer.clone();
        var gathered = comm.AllGatherBytes(mean.bytes);
        for (int k = 1; k < w; k++) Expect.True(gathered[k].AsSpan().SequenceEqual(gathered[0]), $"running_mean of rank {k}");

        // A model that differs in structure is refused on every rank (no rank hangs in a mismatched broadcast).
        using var odd = Model(r == w - 1 && w > 1 ? 9 : 8);
        Expect.Throws<InvalidOperationException>(() => TensorCollectives.BroadcastModuleState(odd, comm), "structure mismatch");

        // Tensor all-reduce helpers.
        using var t = torch.tensor(new float[] { r, 2 * r });
        TensorCollectives.AllReduceMean(t, comm);
        Expect.Equal((w - 1) / 2f, t[0].item<float>(), "AllReduceMean [0]");
        Expect.Equal((float)(w - 1), t[1].item<float>(), "AllReduceMean [1]");
        using var counts = torch.tensor(new long[] { 1, r });
        TensorCollectives.AllReduceSum(counts, comm);
        Expect.Equal((long)w, counts[0].item<long>(), "AllReduceSum int64 tensor");
        using var strided = torch.ones(3, 4).t();   // non-contiguous: goes through a host copy and back
        TensorCollectives.AllReduceSum(strided, comm);
        Expect.Equal((float)w * 12, strided.sum().item<float>(), "AllReduceSum of a non-contiguous tensor");
    }
}
