using Forge.Bench.Harness;
using Forge.Bench.Workloads;
using Forge.Torch;
using Forge.Data.Loading;
using Forge.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Bench.Benchmarks;

/// <summary>
/// Forward + loss + backward + optimizer step (the trainer's step, with EMA) of YOLOv8 scales at several image sizes on real
/// mosaic batches, in the default NCHW layout and in channels_last. The trainer runs its steps NCHW whatever the
/// channels_last setting says (channels_last steps drifted from Ultralytics' updates: bench/README.md, "channels_last
/// training against NCHW"); the channels_last variant here measures the layout, not what forge train does.
/// </summary>
public sealed class TrainStepBenchmark : IBenchmark
{
    public string Name => "train-step";
    public string Summary => "YOLOv8 training step (forward, loss, backward, SGD, EMA): ms/step and images/s per scale and imgsz, NCHW vs channels_last, float32 vs bf16 autocast";

    public IReadOnlyList<BenchKey> Keys { get; } =
    [
        new("scales", "n,s", "model scales (n, s, m, l, x)"),
        new("imgsz", "160,320", "image sizes (multiples of 32)"),
        new("batch", "16", "images per step"),
        new("steps", "5", "timed steps per configuration"),
        new("warmup", "2", "untimed steps first (allocator, kernels)"),
        new("channels_last", "both", "false, true or both", ["false", "true", "both"]),
        new("optimizer", "SGD", "SGD or AdamW", ["SGD", "AdamW"]),
        new("amp", "false", "false (float32), bf16 (forward in bfloat16 autocast, the trainer's amp=bf16) or both", ["false", "bf16", "both"]),
        new("ema", "true", "update an EMA copy each step, as training does", ["true", "false"]),
        new("recompute", "false", "recompute each Conv block's BatchNorm+SiLU in backward (the trainer's recompute setting): false, true or both", ["false", "true", "both"]),
        new("datasets", ShapesData.DefaultRoot, "where the shapes dataset is generated"),
    ];

    public int Run(BenchContext ctx)
    {
        var a = ctx.Args;
        var o = ctx.Out;
        int batchSize = a.Int("batch"), steps = a.Int("steps"), warmup = a.Int("warmup");
        if (steps < 1 || warmup < 0 || batchSize < 1) throw new BenchUsageException("steps must be >= 1, warmup >= 0, batch >= 1");
        var formats = Variants(a, "channels_last", "true");
        var precisions = Variants(a, "amp", "bf16");
        var recomputes = Variants(a, "recompute", "true");
        var scales = a.List("scales").Select(s => ModelScale.TryParseName(s, out var m) ? m : throw new BenchUsageException($"scales: unknown scale '{s}'")).ToArray();
        var sizes = a.Ints("imgsz");
        foreach (var s in sizes) if (s % 32 != 0 || s < 32) throw new BenchUsageException($"imgsz={s}: must be a positive multiple of 32");

        var spec = ShapesData.Ensure(a.String("datasets"), ctx.Comm, o);
        var index = ShapesData.TrainIndex(spec);
        int distinct = Math.Min(steps + warmup, 4);
        o.WriteLine($"method: {warmup} warm-up + {steps} timed steps per row, cycling over {distinct} real mosaic batches of the shapes dataset ({spec.NumClasses} classes);");
        o.WriteLine("        a step = batch to tensors, forward, loss, backward, grad clip, SGD/AdamW step, zero_grad" + (a.Bool("ema") ? ", EMA update" : "") + ". Figures: median (p10-p90).");
        o.WriteLine("channels_last: TorchSharp 0.107 has no memory_format overload of contiguous()/Module.to(); conv weights and input images are");
        o.WriteLine("        re-laid as NHWC strides (permute, contiguous, permute back), which libtorch treats as channels_last.");
        o.WriteLine();

        var table = new TextTable("model", "params", "imgsz", "batch", "layout", "amp", "recompute", "ms/step", "images/s", "fwd+loss ms", "backward ms", "optim ms", "NHWC kept");
        var verdicts = new List<string>();
        var problems = new SortedSet<string>(StringComparer.Ordinal);
        foreach (int imgsz in sizes)
        {
            var batches = ShapesData.TrainBatches(index, imgsz, batchSize, distinct);
            foreach (var scale in scales)
            {
                // Every layout and precision lives side by side and their steps alternate, so a change in background load hits all alike.
                var rigs = new List<(bool ChannelsLast, bool Recompute, TrainingStep Step, long Parameters)>();
                foreach (bool cl in formats)
                    foreach (bool bf16 in precisions)
                    foreach (bool recompute in recomputes)
                    {
                        manual_seed(0);
                        var model = new YoloDetector(scale, spec.NumClasses);
                        model.RecomputeNormalization(recompute);
                        if (cl && ChannelsLastCheck.Problem(model) is { } problem && problems.Add(scale.Name))   // said before the rows that may stop the process
                            o.WriteLine($"channels_last check, {scale.Name}: {problem}. Its channels_last rows run the convolutions found wrong NCHW, " +
                                        "as forge train does; where no shape could be tried they time a wrong computation, if they finish, and forge train runs NCHW.");
                        if (cl && ChannelsLastCheck.TryWrongShapes(model, out _) is { } wrong) NchwConvolutions.Mark(model, wrong);   // as forge train does
                        long parameters = model.parameters().Sum(p => p.numel());
                        rigs.Add((cl, recompute, new TrainingStep(model, ctx.Comm, channelsLast: cl, withEma: a.Bool("ema"), optimizer: a.String("optimizer"),
                                                       autocastBFloat16: bf16), parameters));
                    }
                var timings = rigs.Select(_ => new List<StepTiming>()).ToArray();
                for (int i = 0; i < warmup + steps; i++)
                    for (int r = 0; r < rigs.Count; r++)
                    {
                        var t = rigs[r].Step.Run(batches[i % batches.Count], distributed: true);
                        if (i >= warmup) timings[r].Add(t);
                    }
                var medians = new Dictionary<bool, Harness.Summary>();
                for (int r = 0; r < rigs.Count; r++)
                {
                    var (cl, recompute, step, parameters) = rigs[r];
                    var ms = timings[r].Select(t => t.Total * 1e3).ToArray();
                    var total = Harness.Summary.Of(ms);
                    if (!step.AutocastBFloat16 && !recompute) medians[cl] = total;
                    var imagesPerSecond = Harness.Summary.Of(ms.Select(v => batchSize / (v / 1e3)).ToArray());
                    table.Add(scale.Name, $"{parameters / 1e6:F2}M", imgsz, batchSize, cl ? "channels_last" : "NCHW", step.AutocastBFloat16 ? "bf16" : "off", recompute ? "on" : "off",
                        total.Format("F0"), imagesPerSecond.Format("F1"), Phase(timings[r], t => t.ForwardLoss), Phase(timings[r], t => t.Backward),
                        Phase(timings[r], t => t.Optimizer), cl ? (FirstLayerKeepsNhwc(step.Model, batches[0]) ? "yes" : "no") : "-");
                    step.Dispose();
                }
                if (medians.Count == 2) verdicts.Add(Verdict(scale.Name, imgsz, medians[false], medians[true]));
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
            foreach (var b in batches) b.Dispose();
        }
        table.Write(o);
        if (verdicts.Count > 0)
        {
            o.WriteLine();
            o.WriteLine("channels_last vs NCHW on this CPU, float32 (median ratio; 'unclear' when the two p10-p90 ranges overlap):");
            foreach (var v in verdicts) o.WriteLine("  " + v);
        }
        return 0;
    }

    /// <summary>A false / on / both key as the variants to run: [false], [true] or [false, true].</summary>
    static bool[] Variants(BenchArgs a, string key, string on) => a.String(key).ToLowerInvariant() switch
    {
        "false" => [false],
        "both" => [false, true],
        var v when v == on => [true],
        var v => throw new BenchUsageException($"{key}={v}: use false, {on} or both"),
    };

    static string Phase(List<StepTiming> timings, Func<StepTiming, double> phase) =>
        Harness.Summary.Of(timings.Select(t => phase(t) * 1e3).ToArray()).Format("F0");

    static string Verdict(string model, int imgsz, Harness.Summary nchw, Harness.Summary nhwc)
    {
        double ratio = nchw.Median / nhwc.Median;
        bool overlap = nhwc.P10 <= nchw.P90 && nchw.P10 <= nhwc.P90;
        string word = overlap ? "unclear" : ratio > 1 ? "helps" : "hurts";
        return $"{model} @ {imgsz}: channels_last {(ratio >= 1 ? $"{(ratio - 1) * 100:F0}% faster" : $"{(1 / ratio - 1) * 100:F0}% slower")} -> {word}";
    }

    /// <summary>Whether the first convolution block really produces NHWC output from NHWC input (the layout propagates).</summary>
    static bool FirstLayerKeepsNhwc(YoloDetector model, Batch batch)
    {
        var first = model.named_modules().First(m => m.name == "model.0").module as nn.Module<Tensor, Tensor>
                    ?? throw new InvalidOperationException("YoloDetector has no layer model.0");
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var images = ChannelsLast.Of(Forge.Training.BatchTensors.Images(batch, CPU));
        return ChannelsLast.Is(first.forward(images));
    }
}
