using Forge.Torch;
using Forge.Models;
using Forge.Models.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Forge.Distributed.Harness;

/// <summary>
/// SyncBatchNorm2d across real ranks: each rank holds a slice of one batch that every rank can also build in full, and the
/// slices must reproduce what a single BatchNorm2d (or a whole detector) computes on the full batch.
/// </summary>
internal static class SyncBatchNormScenario
{
    const int Batch = 8, Channels = 3;

    static double MaxAbs(Tensor t)
    {
        if (t.NumberOfElements == 0) return 0;
        using var _ = NewDisposeScope();
        return t.abs().max().to(ScalarType.Float64).item<double>();
    }

    static void Close(Tensor expected, Tensor actual, double tolerance, string what)
    {
        Expect.True(expected.shape.SequenceEqual(actual.shape), $"{what}: shape {string.Join("x", actual.shape)}, expected {string.Join("x", expected.shape)}");
        using var diff = expected - actual;
        double worst = MaxAbs(diff);
        Expect.True(worst <= tolerance, $"{what}: max |difference| {worst:E3} > {tolerance:E1}");
    }

    /// <summary>Where each rank's slice of the batch starts and how long it is.</summary>
    static (long Start, long Length) SliceOf(int[] sizes, int rank)
    {
        long start = 0;
        for (int k = 0; k < rank; k++) start += sizes[k];
        return (start, sizes[rank]);
    }

    static int[] EvenSizes(int total, int ranks) => Enumerable.Range(0, ranks).Select(k => total / ranks + (k < total % ranks ? 1 : 0)).ToArray();

    // Rank 0 holds more than the others (and than an even share): statistics must be weighted by count, not averaged per rank.
    static int[] UnevenSizes(int total, int ranks)
    {
        var sizes = Enumerable.Repeat(1, ranks).ToArray();
        sizes[0] = total - (ranks - 1);
        return sizes;
    }

    // The last rank holds nothing (the tail of an epoch): it must still take part in both all-reduces.
    static int[] EmptyLastSizes(int total, int ranks)
    {
        var sizes = EvenSizes(total, Math.Max(ranks - 1, 1)).Append(0).Take(ranks).ToArray();
        if (ranks == 1) sizes[0] = total;
        return sizes;
    }

    /// <summary>One layer: outputs, input gradients, running statistics and summed parameter gradients against BatchNorm2d.</summary>
    public static void Layer(ICommunicator comm)
    {
        int w = comm.WorldSize, r = comm.Rank;
        Expect.True(w <= Batch, $"at most {Batch} ranks");
        manual_seed(2024);   // identical layers on every rank
        using var reference = nn.BatchNorm2d(Channels, eps: 1e-3, momentum: 0.03);
        using (no_grad())
        {
            reference.weight.copy_(rand(Channels).AddInPlace(0.5));
            reference.bias!.copy_(randn(Channels));
            reference.running_mean!.copy_(randn(Channels).MulInPlace(0.1));
            reference.running_var!.copy_(rand(Channels).AddInPlace(0.5));
        }
        using var sync = new SyncBatchNorm2d(reference, comm);
        reference.train();
        sync.train();

        for (int step = 0; step < 4; step++)
        {
            using var scope = NewDisposeScope();
            var sizes = step switch { < 2 => EvenSizes(Batch, w), 2 => UnevenSizes(Batch, w), _ => EmptyLastSizes(Batch, w) };
            var (start, length) = SliceOf(sizes, r);
            manual_seed(300 + step);   // the same full batch on every rank
            var x = randn(Batch, Channels, 5, 7).MulInPlace(2).AddInPlace(0.7);
            var upstream = randn(x.shape);

            var full = x.clone().requires_grad_(true);
            var fullOut = HeldBatchNorm.Forward(reference, full);   // TorchSharp's forward counts batches with an unheld Scalar
            fullOut.mul(upstream).sum().backward();

            var mine = x.narrow(0, start, length).clone().requires_grad_(true);
            var out_ = sync.call(mine);
            out_.mul(upstream.narrow(0, start, length)).sum().backward();

            string at = $"step {step} (slices {string.Join("/", sizes)})";
            Close(fullOut.narrow(0, start, length), out_, 1e-5, $"{at}: output");
            Close(full.grad!.narrow(0, start, length), mine.grad!, 1e-5, $"{at}: input gradient");
            Close(reference.running_mean!, sync.RunningMean!, 1e-6, $"{at}: running mean");
            Close(reference.running_var!, sync.RunningVar!, 1e-6, $"{at}: running variance");
            Expect.Equal(reference.num_batches_tracked!.item<long>(), sync.NumBatchesTracked!.item<long>(), $"{at}: num_batches_tracked");

            // Parameter gradients are per-rank shares: their sum is the full batch's gradient.
            var weightGrad = sync.Weight!.grad!.clone();
            var biasGrad = sync.Bias!.grad!.clone();
            TensorCollectives.AllReduceSum(weightGrad, comm);
            TensorCollectives.AllReduceSum(biasGrad, comm);
            Close(reference.weight.grad!, weightGrad, 1e-4, $"{at}: weight gradient summed over ranks");
            Close(reference.bias!.grad!, biasGrad, 1e-4, $"{at}: bias gradient summed over ranks");
            reference.zero_grad();
            sync.zero_grad();
        }

        // Every rank derived its running statistics from the same reduced sums, so they agree bit for bit without a broadcast.
        var stats = sync.RunningMean!.contiguous().bytes.ToArray().Concat(sync.RunningVar!.contiguous().bytes.ToArray()).ToArray();
        var all = comm.AllGatherBytes(stats);
        Expect.True(all.All(b => b.AsSpan().SequenceEqual(all[0])), "running statistics are bit-identical across ranks");

        // Evaluation never communicates: rank 0 evaluates more often than the others, and the barrier after must still pair up.
        reference.eval();
        sync.eval();
        using (var scope = NewDisposeScope())
        {
            manual_seed(400);
            var x = randn(Batch, Channels, 5, 7);
            var expected = HeldBatchNorm.Forward(reference, x);
            var (start, length) = SliceOf(EvenSizes(Batch, w), r);
            for (int i = 0; i < (r == 0 ? 3 : 1); i++)
                Close(expected.narrow(0, start, length), sync.call(x.narrow(0, start, length)), 1e-6, "evaluation output");
        }
        comm.Barrier();
    }

    /// <summary>
    /// A whole YOLOv8n with synchronised BatchNorm, two images per rank: summed parameter gradients equal those of the
    /// same detector with plain BatchNorm on all images in one process.
    /// </summary>
    public static void Detector(ICommunicator comm)
    {
        const int PerRank = 2;
        const double Relative = 1e-9;
        int w = comm.WorldSize, r = comm.Rank;
        manual_seed(7);
        using var reference = new YoloDetector(ModelScale.N, numClasses: 2);
        manual_seed(7);
        using var model = new YoloDetector(ModelScale.N, numClasses: 2);
        // float64: in float32 a plain BatchNorm detector is already ~5e-5 (relative) away from its own float64 gradients,
        // which would leave a 1e-4 check little room to tell a real difference from rounding.
        reference.to(ScalarType.Float64);
        model.to(ScalarType.Float64);
        int batchNorms = reference.modules().Count(m => m is BatchNorm2d);
        Expect.Equal(batchNorms, BatchNormReplacement.Replace(model, bn => new SyncBatchNorm2d(bn, comm)), "every BatchNorm2d converted");
        TensorCollectives.VerifyIdenticalState(model, comm);
        reference.train();
        model.train();

        manual_seed(8);
        using var images = rand(PerRank * w, 3, 64, 64, dtype: ScalarType.Float64);
        using var fullRaw = reference.call(images);
        using (var loss = fullRaw.sum()) loss.backward();

        using var mine = images.narrow(0, PerRank * r, PerRank);
        using var raw = model.call(mine);
        using (var loss = raw.sum()) loss.backward();

        using (var expected = fullRaw.narrow(0, PerRank * r, PerRank))
            Close(expected, raw, Relative * MaxAbs(expected), "detector output of this rank's images");

        var referenceGrads = reference.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad);
        double worst = 0;
        string worstName = "";
        int compared = 0;
        foreach (var (name, p) in model.named_parameters())
        {
            if (!p.requires_grad)   // the DFL projection is fixed
            {
                Expect.True(p.grad is null && referenceGrads[name] is null, $"frozen {name} gets no gradient");
                continue;
            }
            compared++;
            using var scope = NewDisposeScope();
            var expected = referenceGrads[name] ?? throw new InvalidOperationException($"reference has no gradient for {name}");
            var summed = (p.grad ?? throw new InvalidOperationException($"rank {r}: no gradient for {name}")).clone();
            TensorCollectives.AllReduceSum(summed, comm);
            double scale = Math.Max(MaxAbs(expected), 1e-12);
            double relative = MaxAbs(summed - expected) / scale;
            if (relative > worst) (worst, worstName) = (relative, name);
            Expect.True(relative <= Relative, $"gradient of {name} summed over ranks: max |difference| / max |reference| = {relative:E3} > {Relative:E0}");
        }
        var referenceState = reference.state_dict();
        foreach (var (name, t) in model.state_dict())
            if (name.EndsWith(".running_mean") || name.EndsWith(".running_var"))
                Close(referenceState[name], t, Relative * Math.Max(1, MaxAbs(referenceState[name])), $"{name} after one step");
        if (comm.IsMain) Console.WriteLine($"rank {r}: worst relative gradient difference {worst:E2} ({worstName}) over {compared} parameters");
    }
}
