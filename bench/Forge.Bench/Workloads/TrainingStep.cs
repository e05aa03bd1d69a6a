using System.Diagnostics;
using Forge.Torch;
using Forge.Data.Loading;
using Forge.Distributed;
using Forge.Models;
using Forge.Models.Loss;
using Forge.Training;
using Forge.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Bench.Workloads;

/// <summary>
/// One optimizer step of the trainer, phase by phase, on a real batch: tensors, forward, loss, backward, (all-reduce of the
/// loss items and gradient averaging through <see cref="GradientBucketReducer"/>), gradient clipping, SGD step, zero_grad, EMA.
/// Built like <see cref="Trainer"/> builds its parts (parameter groups, Nesterov SGD, loss gains, reducer via ForModule) so the
/// timings are the training loop's, with accumulation to one batch per optimizer step.
/// </summary>
public sealed class TrainingStep : IDisposable
{
    readonly ICommunicator comm;
    readonly DetectionLoss loss;
    readonly ModelEma? ema;
    readonly GradientBucketReducer reducer;
    readonly double[] stepValues = new double[4];

    public YoloDetector Model { get; }
    public Optimizer Optimizer { get; }
    /// <summary>The EMA copy (null when built without one).</summary>
    public ModelEma? Ema => ema;
    public GradientBucketReducer Reducer => reducer;
    public bool ChannelsLastInput { get; }
    /// <summary>amp=bf16: the forward runs in a bfloat16 autocast region, the loss in float32 (as the trainer).</summary>
    public bool AutocastBFloat16 { get; }

    /// <param name="model">Taken over (disposed with the step).</param>
    /// <param name="channelsLast">Re-lay convolution weights and input images as NHWC.</param>
    /// <param name="emaFactory">Builds the EMA copy (default: a plain detector of the same scale and classes).</param>
    /// <param name="autocastBFloat16">Run the forward in bfloat16 autocast (the trainer's amp=bf16).</param>
    public TrainingStep(YoloDetector model, ICommunicator comm, bool channelsLast = false, bool withEma = true, string optimizer = "SGD",
                        Action<string>? reducerWarning = null, Func<YoloDetector>? emaFactory = null, bool autocastBFloat16 = false)
    {
        AutocastBFloat16 = autocastBFloat16;
        this.comm = comm;
        Model = model;
        model.train();
        if (channelsLast) ChannelsLast.Convert(model);
        ChannelsLastInput = channelsLast;
        loss = new DetectionLoss(model, new LossGains());
        var groups = ParamGroup.SplitForDetection(model.named_parameters().Select(p => (p.name, (Tensor)p.parameter)), 0.0005);
        bool sgd = optimizer.Equals("sgd", StringComparison.OrdinalIgnoreCase);
        if (!sgd && !optimizer.Equals("adamw", StringComparison.OrdinalIgnoreCase))
            throw new Harness.BenchUsageException($"optimizer={optimizer}: use SGD or AdamW");
        foreach (var g in groups) { g.Lr = g.InitialLr = sgd ? 0.01 : 0.001; g.Momentum = sgd ? 0.937 : 0.9; }
        Optimizer = sgd ? new Sgd(groups, nesterov: true) : new AdamW(groups);
        if (withEma) ema = new ModelEma(model, emaFactory ?? (() => new YoloDetector(model.Scale, model.NumClasses)));
        reducer = GradientBucketReducer.ForModule(model, comm, GradientBucketReducer.DefaultBucketBytes, warning: reducerWarning ?? (_ => { }));
        // Every rank starts from rank 0's weights, as in training (identity for one process).
        TensorCollectives.BroadcastModuleState(model, comm);
    }

    /// <summary>
    /// One step on <paramref name="batch"/>. <paramref name="distributed"/>: the trainer's path, where the loss normaliser is
    /// summed across ranks, the loss items are all-reduced and gradients averaged every step (each an identity for a single
    /// process); false keeps the step local with no collective at all, the "without all-reduce" baseline.
    /// </summary>
    public StepTiming Run(Batch batch, bool distributed)
    {
        int world = distributed ? comm.WorldSize : 1;
        long t0 = Stopwatch.GetTimestamp();
        double forward, backward, sync = 0, reduce;
        using (var scope = NewDisposeScope())
        {
            var images = BatchTensors.Images(batch, CPU);
            if (ChannelsLastInput) images = ChannelsLast.Of(images);
            using var targets = BatchTensors.Targets(batch, CPU);
            var normalization = distributed
                ? new LossNormalization(batch.Size * world, world, SumAcrossRanks)
                : LossNormalization.Local(batch.Size);
            Tensor raw;
            using (AutocastBFloat16 ? Autocast.BFloat16() : null)
                raw = Model.forward(images);   // float32 either way: the head's output convolutions run in float32
            var (total, items) = loss.Compute(raw, targets, batch.Height, batch.Width, normalization);
            long t1 = Stopwatch.GetTimestamp();
            forward = Seconds(t0, t1);
            total.backward();
            long t2 = Stopwatch.GetTimestamp();
            backward = Seconds(t1, t2);
            long t2b = t2;
            if (distributed)
            {
                (stepValues[0], stepValues[1], stepValues[2], stepValues[3]) = (items.Box, items.Cls, items.Dfl, 0);
                comm.AllReduceSum(stepValues);
                t2b = Stopwatch.GetTimestamp();
                sync = Seconds(t2, t2b);
                reducer.ReduceAndAverage();
            }
            reduce = Seconds(t2b, Stopwatch.GetTimestamp());
        }
        long t3 = Stopwatch.GetTimestamp();
        GradientClipping.ClipByTotalNorm(Model.parameters(), 10.0);
        Optimizer.Step();
        Optimizer.ZeroGrad();
        ema?.Update();
        return new StepTiming(forward, backward, sync, reduce, Seconds(t3, Stopwatch.GetTimestamp()));
    }

    double SumAcrossRanks(double local)
    {
        Span<double> v = [local];
        comm.AllReduceSum(v);
        return v[0];
    }

    static double Seconds(long from, long to) => (to - from) / (double)Stopwatch.Frequency;

    public void Dispose()
    {
        reducer.Dispose();
        ema?.Dispose();
        Optimizer.Dispose();
        Model.Dispose();
    }
}
