using Forge.Torch;
using Forge.Distributed;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Distributed.Tests;

public class TensorCollectivesTests
{
    static nn.Module<Tensor, Tensor> Model(int seed)
    {
        // Every parameter drawn from a private generator: two models of one seed are equal whatever other tests draw meanwhile.
        var model = nn.Sequential(("fc", nn.Linear(3, 4)), ("bn", nn.BatchNorm1d(4)));
        using var g = new Generator((ulong)seed);
        using (no_grad())
            foreach (var p in model.parameters()) p.uniform_(-1, 1, g);
        return model;
    }

    [Fact]
    public void ChecksumIsEqualForEqualStateAndChangesWithAnyBit()
    {
        using var a = Model(1);
        using var b = Model(1);
        using var c = Model(2);
        ulong sa = TensorCollectives.ModuleChecksum(a);
        Assert.Equal(sa, TensorCollectives.ModuleChecksum(b));
        Assert.NotEqual(sa, TensorCollectives.ModuleChecksum(c));

        using (no_grad())
        {
            var w = b.named_parameters().First(p => p.name == "fc.weight").parameter;
            var bits = BitConverter.SingleToInt32Bits(w[1, 2].item<float>());
            w[1, 2] = BitConverter.Int32BitsToSingle(bits ^ 1);   // flip the lowest mantissa bit
        }
        Assert.NotEqual(sa, TensorCollectives.ModuleChecksum(b));
    }

    [Fact]
    public void ChecksumCoversBuffers()
    {
        using var a = Model(1);
        ulong before = TensorCollectives.ModuleChecksum(a);
        using (no_grad()) a.named_buffers().First(x => x.name == "bn.running_var").buffer.AddInPlace(1e-3);
        Assert.NotEqual(before, TensorCollectives.ModuleChecksum(a));
    }

    [Fact]
    public void SingleProcessCollectivesLeaveTheModelAlone()
    {
        using var comm = new SingleProcessCommunicator();
        using var a = Model(1);
        ulong before = TensorCollectives.ModuleChecksum(a);
        TensorCollectives.BroadcastModuleState(a, comm);
        TensorCollectives.VerifyIdenticalState(a, comm);
        Assert.Equal(before, TensorCollectives.ModuleChecksum(a));
        using var t = torch.tensor(new[] { 2f, 4f });
        TensorCollectives.AllReduceMean(t, comm);
        Assert.Equal(new[] { 2f, 4f }, t.data<float>().ToArray());
    }

    [Fact]
    public void HasherSeparatesNearbyInputs()
    {
        ulong Hash(byte[] data) { var h = new StateHasher(); h.Add(data); return h.Value; }
        var zeros = new byte[13];
        var one = new byte[13];
        one[12] = 1;
        Assert.NotEqual(Hash(zeros), Hash(one));
        Assert.NotEqual(Hash(zeros), Hash(new byte[14]));   // length matters, even for zeros
        Assert.Equal(Hash(one), Hash((byte[])one.Clone()));
    }
}
