using Forge.Bench.Harness;
using Forge.Bench.Workloads;
using Forge.Data.Loading;
using Forge.Distributed;
using Forge.Models;
using static TorchSharp.torch;

namespace Forge.Bench.Benchmarks;

/// <summary>
/// What data-parallel training adds to a step: the real training step of a YOLOv8 with the trainer's collectives (loss
/// normaliser and loss items all-reduced, gradients averaged by GradientBucketReducer) against the same step kept local.
/// On one process it compares thread counts instead, which gives the 1-rank x 1-thread reference for a 2-rank job on 2 cores.
/// </summary>
public sealed class DdpOverheadBenchmark : IBenchmark
{
    public string Name => "ddp-overhead";
    public string Summary => "training step with vs without gradient all-reduce (GradientBucketReducer), overhead in % (mpirun -np 2, and single-process)";

    public IReadOnlyList<BenchKey> Keys { get; } =
    [
        new("scale", "n", "model scale"),
        new("imgsz", "160", "image size"),
        new("batch", "8", "images per rank per step"),
        new("steps", "6", "timed steps per mode"),
        new("warmup", "2", "untimed steps per mode first"),
        new("reference", "true", "on a multi-rank job, also time rank 0 alone as 1 rank x 1 thread while the others sleep", ["true", "false"]),
        new("datasets", ShapesData.DefaultRoot, "where the shapes dataset is generated"),
    ];

    /// <summary>One way of running the step: thread count and whether the trainer's collectives run.</summary>
    sealed record Mode(string Label, int Threads, bool Distributed)
    {
        public List<double> Totals { get; } = new();
        public List<double> Reduce { get; } = new();
        public List<double> Sync { get; } = new();
    }

    public int Run(BenchContext ctx)
    {
        var a = ctx.Args;
        var o = ctx.Out;
        var comm = ctx.Comm;
        int batch = a.Int("batch"), steps = a.Int("steps"), warmup = a.Int("warmup"), imgsz = a.Int("imgsz");
        if (batch < 1 || steps < 1 || warmup < 0 || imgsz % 32 != 0) throw new BenchUsageException("batch, steps >= 1, warmup >= 0, imgsz a multiple of 32");
        if (!ModelScale.TryParseName(a.String("scale"), out var scale)) throw new BenchUsageException($"scale={a.String("scale")}: use n, s, m, l or x");
        int world = comm.WorldSize, threads = ctx.Threads;

        var spec = ShapesData.Ensure(a.String("datasets"), comm, o);
        var index = ShapesData.TrainIndex(spec);
        // Each rank trains on its own batches, as the shard sampler gives it different samples.
        var batches = ShapesData.TrainBatches(index, imgsz, batch, 4, first: 4 * comm.Rank);

        var modes = new List<Mode>();
        if (world > 1)
        {
            modes.Add(new Mode($"{world} ranks x {threads} thread(s), step kept local (no all-reduce)", threads, false));
            modes.Add(new Mode($"{world} ranks x {threads} thread(s), DDP: trainer's all-reduces + GradientBucketReducer", threads, true));
        }
        else
        {
            foreach (int t in threads == 1 ? new[] { 1 } : new[] { threads, 1 })
            {
                modes.Add(new Mode($"1 rank x {t} thread(s), no reducer call", t, false));
                modes.Add(new Mode($"1 rank x {t} thread(s), trainer path (reducer and collectives are identities)", t, true));
            }
        }

        o.WriteLine($"method: yolov8{scale.Letter} at imgsz {imgsz}, {batch} images per rank per step (real mosaic batches, different per rank), SGD + EMA;");
        o.WriteLine($"        modes alternate step by step ({warmup} warm-up + {steps} timed steps each), every step starts after a barrier and counts at");
        o.WriteLine("        its slowest rank, so ranks drifting apart in the local mode cannot be charged to the next DDP step.");
        o.WriteLine("        'sync' = the loss-item all-reduce after backward, which also waits for the slowest rank's backward; 'reduce' =");
        o.WriteLine("        GradientBucketReducer.ReduceAndAverage alone (pack, all-reduce, average, unpack). The loss normaliser's one-double");
        o.WriteLine("        all-reduce happens inside the loss (part of the step, not of either column).");
        o.WriteLine();

        manual_seed(0);
        using (var rig = new TrainingStep(new YoloDetector(scale, spec.NumClasses), comm))
        {
            o.WriteLine($"gradient reducer: {rig.Reducer.BucketCount} bucket(s) of up to {GradientBucketReducer.DefaultBucketBytes / (1 << 20)} MiB for {rig.Model.parameters().Sum(p => p.numel()) / 1e6:F2} M parameters");
            for (int i = 0; i < warmup + steps; i++)
                for (int k = 0; k < modes.Count; k++)
                {
                    var m = modes[i % 2 == 0 ? k : modes.Count - 1 - k];   // ABBA order: no mode always goes first
                    set_num_threads(m.Threads);
                    comm.Barrier();
                    var t = rig.Run(batches[i % batches.Count], m.Distributed);
                    if (i < warmup) continue;
                    m.Totals.Add(t.Total * 1e3);
                    m.Reduce.Add(t.Reduce * 1e3);
                    m.Sync.Add(t.Sync * 1e3);
                }
            set_num_threads(threads);
        }

        Mode? reference = null;
        if (world > 1 && a.Bool("reference"))
        {
            reference = new Mode("1 rank x 1 thread (rank 0 alone, others sleeping), trainer path", 1, true);
            MainRankOnly.Run(comm, () =>
            {
                set_num_threads(1);
                manual_seed(0);
                using var solo = new TrainingStep(new YoloDetector(scale, spec.NumClasses), new SingleProcessCommunicator());
                for (int i = 0; i < warmup + steps; i++)
                {
                    var t = solo.Run(batches[i % batches.Count], distributed: true);
                    if (i >= warmup) { reference.Totals.Add(t.Total * 1e3); reference.Reduce.Add(t.Reduce * 1e3); reference.Sync.Add(t.Sync * 1e3); }
                }
                set_num_threads(threads);
            });
        }

        var table = new TextTable("setup", "ranks", "step ms", "sync ms", "reduce ms", "images/s (job)");
        var rows = new List<(Mode Mode, Harness.Summary Step, int Ranks)>();
        var perStep = new List<double[]>();
        foreach (var m in modes)
        {
            var slowest = RankTimings.SlowestRank(comm, m.Totals);
            perStep.Add(slowest);
            var reduce = RankTimings.SlowestRank(comm, m.Reduce);
            var sync = RankTimings.SlowestRank(comm, m.Sync);
            var step = Harness.Summary.Of(slowest);
            rows.Add((m, step, world));
            table.Add(m.Label, world, step.Format("F0"), Harness.Summary.Of(sync).Format("F1"), Harness.Summary.Of(reduce).Format("F1"), Harness.Summary.Of(slowest.Select(ms => world * batch / (ms / 1e3)).ToArray()).Format("F1"));
        }
        if (reference is not null && comm.IsMain)
        {
            var step = Harness.Summary.Of(reference.Totals);
            rows.Add((reference, step, 1));
            table.Add(reference.Label, 1, step.Format("F0"), Harness.Summary.Of(reference.Sync).Format("F1"), Harness.Summary.Of(reference.Reduce).Format("F1"), Harness.Summary.Of(reference.Totals.Select(ms => batch / (ms / 1e3)).ToArray()).Format("F1"));
        }
        table.Write(o);
        o.WriteLine();
        for (int i = 0; i + 1 < modes.Count; i += 2)
        {
            var (local, ddp) = (rows[i].Step, rows[i + 1].Step);
            double extra = ddp.Median - local.Median;
            var paired = Harness.Summary.Of(perStep[i + 1].Zip(perStep[i], (d, l) => (d - l) / l * 100).ToArray());
            o.WriteLine($"overhead ({modes[i].Threads} thread(s)/rank): medians differ by {extra:+0;-0} ms = {extra / local.Median * 100:+0.0;-0.0}% of the step without it; " +
                        $"paired per step: median {paired.Median:+0.0;-0.0}% (p10 {paired.P10:+0.0;-0.0}%, p90 {paired.P90:+0.0;-0.0}%);");
            double reduceMs = Harness.Summary.Of(modes[i + 1].Reduce).Median, syncMs = Harness.Summary.Of(modes[i + 1].Sync).Median;
            o.WriteLine($"          on rank 0 the gradient all-reduce itself takes {reduceMs:F1} ms = {reduceMs / ddp.Median * 100:F1}% of the DDP step, " +
                        $"waiting for the slower rank after backward {syncMs:F1} ms");
        }
        if (reference is not null && comm.IsMain)
        {
            var solo = rows[^1].Step;
            var ddp = rows[1].Step;
            double soloRate = batch / (solo.Median / 1e3), jobRate = world * batch / (ddp.Median / 1e3);
            o.WriteLine($"scaling: {world} ranks x {threads} thread(s) with DDP give {jobRate:F1} images/s; 1 rank x 1 thread gives {soloRate:F1} images/s on the same per-rank batch:");
            o.WriteLine($"         {jobRate / soloRate:F2}x (ideal {world}x; on a 2-core machine the ranks also share memory bandwidth and the cores with other work).");
        }
        foreach (var b in batches) b.Dispose();
        return 0;
    }
}
