using Forge.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Forge.Distributed.Harness;

/// <summary>
/// A layer no rank uses is reported once (on rank 0) and keeps no gradient; a layer only the last rank uses is averaged onto
/// every rank, so replicas stay identical.
/// </summary>
internal static class UnusedParametersScenario
{
    sealed class Net : nn.Module<Tensor, Tensor>
    {
        readonly Linear fc, partial, extra;
        public bool UsePartial, UseExtra;

        public Net() : base("net")
        {
            fc = nn.Linear(3, 2);
            partial = nn.Linear(3, 2);
            extra = nn.Linear(3, 2);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            var y = fc.call(x);
            if (UsePartial) y = y.Plus(partial.call(x));
            if (UseExtra) y = y.Plus(extra.call(x));
            return y;
        }
    }

    static void Step(Net net, GradientBucketReducer reducer, int rank, Action<Net>? beforeReduce = null)
    {
        net.zero_grad();
        torch.manual_seed(300 + rank);
        using (var loss = net.call(torch.randn(4, 3)).sum()) loss.backward();
        beforeReduce?.Invoke(net);
        reducer.ReduceAndAverage();
    }

    static Tensor? Grad(Net net, string name) => net.named_parameters().First(p => p.name == name).parameter.grad;

    public static void Run(ICommunicator comm)
    {
        int r = comm.Rank, w = comm.WorldSize;
        bool last = r == w - 1;
        torch.manual_seed(1);
        using var net = new Net { UsePartial = last };
        var warnings = new List<string>();
        using var reducer = GradientBucketReducer.ForModule(net, comm, warning: m => { warnings.Add(m); Console.WriteLine($"rank {r}: {m}"); });

        Tensor? localPartial = null;
        for (int step = 0; step < 3; step++)
            Step(net, reducer, r, n => { localPartial?.Dispose(); localPartial = Grad(n, "partial.weight")?.clone(); });

        Expect.Equal(comm.IsMain ? 1 : 0, warnings.Count, "one warning, on rank 0 only");
        if (comm.IsMain)
        {
            Expect.True(warnings[0].Contains("extra.weight") && warnings[0].Contains("extra.bias"), "warning names the unused parameters");
            Expect.True(!warnings[0].Contains("fc.") && !warnings[0].Contains("partial."), "warning names only unused parameters");
        }
        Expect.Equal("extra.weight,extra.bias", string.Join(",", reducer.UnusedParameters), "unused parameter list");
        Expect.True(Grad(net, "extra.weight") is null && Grad(net, "extra.bias") is null, "unused parameters keep no gradient");

        // The partially used layer: the last rank's gradient, averaged, on every rank (zeros came from the others).
        var partialGrad = Grad(net, "partial.weight");
        Expect.True(partialGrad is not null, "a parameter used by another rank receives the averaged gradient");
        if (last && w > 1)
        {
            using var expected = localPartial!.Over(w);
            Expect.True(Expect.BitEqual(partialGrad!, expected), "partial gradient is the last rank's divided by the world size");
        }
        var all = comm.AllGatherBytes(partialGrad!.contiguous().bytes);
        Expect.True(all.All(b => b.AsSpan().SequenceEqual(all[0])), "partial gradient identical on all ranks");

        // recheckEvery: the list is refreshed on calls 2, 4, ... and left alone in between (no per-step search).
        using var net2 = new Net();
        var warnings2 = new List<string>();
        using var rechecking = GradientBucketReducer.ForModule(net2, comm, recheckEvery: 2, warning: warnings2.Add);
        Step(net2, rechecking, r);                                       // call 1: checked
        Expect.Equal(4, rechecking.UnusedParameters.Count, "call 1: partial and extra unused");
        net2.UsePartial = net2.UseExtra = true;
        Step(net2, rechecking, r);                                       // call 2: checked
        Expect.Equal(0, rechecking.UnusedParameters.Count, "call 2: recheck sees everything used");
        net2.UsePartial = net2.UseExtra = false;
        Step(net2, rechecking, r);                                       // call 3: not checked
        Expect.Equal(0, rechecking.UnusedParameters.Count, "call 3: no search between rechecks");
        Step(net2, rechecking, r);                                       // call 4: checked
        Expect.Equal(4, rechecking.UnusedParameters.Count, "call 4: recheck finds them unused again");
        Expect.Equal(comm.IsMain ? 2 : 0, warnings2.Count, "a warning each time the unused set changes to a new non-empty set");
    }
}
