using Forge.Bench.Harness;
using Forge.Bench.Workloads;
using Forge.Models;
using static TorchSharp.torch;

namespace Forge.Bench.Benchmarks;

/// <summary>
/// The cost of a parameter no rank uses: per-step time of a YOLOv8 with an extra, unused convolution against the same model
/// without it, both trained data-parallel with GradientBucketReducer as the trainer builds it. The reducer learns on the first
/// step which parameters got no gradient (and warns once); from step 2 on the target is to cost nothing (within 2%).
/// </summary>
public sealed class UnusedLayerBenchmark : IBenchmark
{
    public string Name => "unused-layer";
    public string Summary => "DDP step time with an unused extra layer (aux_head) vs without, after step 1; target within 2% (mpirun -np 2)";
    public int MinRanks => 2;

    public IReadOnlyList<BenchKey> Keys { get; } =
    [
        new("scale", "n", "model scale"),
        new("imgsz", "160", "image size"),
        new("batch", "8", "images per rank per step"),
        new("steps", "10", "timed steps per model"),
        new("warmup", "2", "untimed steps per model first (at least 1: step 1 collects the unused names)"),
        new("datasets", ShapesData.DefaultRoot, "where the shapes dataset is generated"),
    ];

    public int Run(BenchContext ctx)
    {
        var a = ctx.Args;
        var o = ctx.Out;
        var comm = ctx.Comm;
        int batch = a.Int("batch"), steps = a.Int("steps"), warmup = a.Int("warmup"), imgsz = a.Int("imgsz");
        if (batch < 1 || steps < 1 || warmup < 1 || imgsz % 32 != 0) throw new BenchUsageException("batch, steps, warmup >= 1, imgsz a multiple of 32");
        if (!ModelScale.TryParseName(a.String("scale"), out var scale)) throw new BenchUsageException($"scale={a.String("scale")}: use n, s, m, l or x");
        var spec = ShapesData.Ensure(a.String("datasets"), comm, o);
        var batches = ShapesData.TrainBatches(ShapesData.TrainIndex(spec), imgsz, batch, 4, first: 4 * comm.Rank);
        int nc = spec.NumClasses;

        var warnings = new List<string>();
        manual_seed(0);
        using var plain = new TrainingStep(new YoloDetector(scale, nc), comm);
        manual_seed(0);
        using var aux = new TrainingStep(new DetectorWithUnusedLayer(scale, nc), comm, reducerWarning: warnings.Add,
                                         emaFactory: () => new DetectorWithUnusedLayer(scale, nc));
        var rigs = new[] { ("without aux_head", plain), ("with unused aux_head", aux) };

        o.WriteLine($"method: {comm.WorldSize} ranks x {ctx.Threads} thread(s), yolov8{scale.Letter} at imgsz {imgsz}, {batch} images per rank per step, SGD + EMA,");
        o.WriteLine("        GradientBucketReducer.ForModule as the trainer builds it; the two models alternate step by step, each step after a");
        o.WriteLine($"        barrier, counted at its slowest rank; steps 1..{warmup} of each model are not timed (step 1 collects unused-parameter names).");
        o.WriteLine();
        var totals = rigs.Select(_ => new List<double>()).ToArray();
        var reduces = rigs.Select(_ => new List<double>()).ToArray();
        for (int i = 0; i < warmup + steps; i++)
            for (int k = 0; k < rigs.Length; k++)
            {
                int r = i % 2 == 0 ? k : rigs.Length - 1 - k;   // ABBA order: neither model always goes first
                comm.Barrier();
                var t = rigs[r].Item2.Run(batches[i % batches.Count], distributed: true);
                if (i < warmup) continue;
                totals[r].Add(t.Total * 1e3);
                reduces[r].Add(t.Reduce * 1e3);   // the reducer alone: where unused parameters could cost
            }

        var table = new TextTable("model", "parameters", "buckets", "unused", "step ms", "reduce ms");
        var medians = new double[rigs.Length];
        var slowest = new double[rigs.Length][];
        for (int r = 0; r < rigs.Length; r++)
        {
            slowest[r] = RankTimings.SlowestRank(comm, totals[r]);
            var step = Harness.Summary.Of(slowest[r]);
            var reduce = Harness.Summary.Of(RankTimings.SlowestRank(comm, reduces[r]));
            medians[r] = step.Median;
            var rig = rigs[r].Item2;
            table.Add(rigs[r].Item1, $"{rig.Model.parameters().Sum(p => p.numel()):N0}", rig.Reducer.BucketCount,
                rig.Reducer.UnusedParameters.Count == 0 ? "none" : string.Join(", ", rig.Reducer.UnusedParameters), step.Format("F0"), reduce.Format("F1"));
        }
        table.Write(o);
        double diff = medians[1] - medians[0];
        double percent = diff / medians[0] * 100;
        o.WriteLine();
        // Steps i of the two models ran back to back, so their difference cancels most of the background load's drift.
        var paired = Harness.Summary.Of(slowest[1].Zip(slowest[0], (x, y) => (x - y) / y * 100).ToArray());
        o.WriteLine($"medians: {medians[0]:F1} ms without, {medians[1]:F1} ms with the unused layer: difference {diff:+0.0;-0.0} ms = {percent:+0.00;-0.00}%");
        o.WriteLine($"paired per-step difference (with - without, same step index): median {paired.Median:+0.00;-0.00}% (p10 {paired.P10:+0.0;-0.0}%, p90 {paired.P90:+0.0;-0.0}%)");
        o.WriteLine($"target within 2%: {(Math.Abs(paired.Median) <= 2 ? "met" : "not met")} by the paired median in this run" +
                    (paired.P10 < 0 && paired.P90 > 0 ? "; the p10-p90 range spans zero, so the run cannot tell the two apart" : ""));
        if (comm.IsMain)
            o.WriteLine(warnings.Count == 0 ? "reducer warning: none was raised (expected one naming aux_head)" : $"reducer warning, raised once: {warnings[0]}");
        foreach (var b in batches) b.Dispose();
        return 0;
    }
}
