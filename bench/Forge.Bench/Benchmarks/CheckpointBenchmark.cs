using System.Diagnostics;
using Forge.Bench.Harness;
using Forge.Bench.Workloads;
using Forge.Core.Config;
using Forge.Distributed;
using Forge.Models;
using Forge.Training;
using Forge.Training.Checkpoints;
using Forge.Training.Reporting;
using static TorchSharp.torch;

namespace Forge.Bench.Benchmarks;

/// <summary>
/// Full training-state checkpoints (train model, EMA, optimizer buffers, RNG, loop state, settings) of real models whose
/// optimizer has state from one real step: serialising (the in-memory snapshot the training loop waits for), writing through
/// CheckpointStore (rotation, temp file, fsync, rename, folder fsync), and loading with verification plus restoring.
/// </summary>
public sealed class CheckpointBenchmark : IBenchmark
{
    public string Name => "checkpoint";
    public string Summary => "full-state checkpoint save/load of n and m models: snapshot (the loop's pause), write+fsync, load+verify, restore; ms and MB/s";

    public IReadOnlyList<BenchKey> Keys { get; } =
    [
        new("models", "n,m", "model scales"),
        new("classes", "80", "classes of the detection head"),
        new("optimizer", "SGD", "SGD (one momentum buffer per parameter) or AdamW (two)", ["SGD", "AdamW"]),
        new("pending", "false", "also store accumulated gradients (a save in the middle of gradient accumulation)", ["false", "true"]),
        new("repeats", "3", "timed save/load cycles per model"),
        new("warmup", "1", "untimed cycles first"),
        new("dir", Path.Combine(Path.GetTempPath(), "forge-bench", "checkpoints"), "folder for the files (removed afterwards)"),
    ];

    public int Run(BenchContext ctx)
    {
        var a = ctx.Args;
        var o = ctx.Out;
        if (!ctx.Comm.IsMain) return 0;   // checkpoints are written by rank 0 only
        int repeats = a.Int("repeats"), warmup = a.Int("warmup"), classes = a.Int("classes");
        bool pending = a.Bool("pending");
        if (repeats < 1 || warmup < 0 || classes < 1) throw new BenchUsageException("repeats >= 1, warmup >= 0, classes >= 1");
        string root = Path.Combine(a.String("dir"), $"run-{Environment.ProcessId}");
        var single = new SingleProcessCommunicator();
        var names = Enumerable.Range(0, classes).Select(i => $"class{i}").ToArray();
        var cfg = new ForgeConfig();
        var run = new RunDescription(cfg, names, new DataFingerprint("bench-train", "bench-val", 500, 100));

        o.WriteLine($"method: each model takes one real {a.String("optimizer")} step (batch 2 at 64 px) so every optimizer buffer exists; then per cycle:");
        o.WriteLine("        snapshot = TrainingCheckpoint.Snapshot (every tensor cloned to private CPU memory): the training loop waits for this;");
        o.WriteLine("        enqueue  = CheckpointStore.Save with background writes: returns at once, the write runs on a worker thread;");
        o.WriteLine("        write    = CheckpointStore.Save synchronously: last -> last.prev rename, temp file, fsync, rename, folder fsync;");
        o.WriteLine("        load     = Checkpoint.Load: read the file, parse, verify the SHA-256, build tensors (the file was just written: page cache);");
        o.WriteLine("        restore  = TrainingCheckpoint.Restore into a fresh model, EMA and optimizer.");
        o.WriteLine($"        {warmup} warm-up + {repeats} timed cycles; median (p10-p90). MB = 10^6 bytes.");
        o.WriteLine();
        var table = new TextTable("model", "params", "tensors", "file MB", "snapshot ms", "enqueue ms", "pause ms", "write ms", "write MB/s", "load ms", "load MB/s", "restore ms");
        try
        {
            foreach (var letter in a.List("models"))
            {
                if (!ModelScale.TryParseName(letter, out var scale)) throw new BenchUsageException($"models: unknown scale '{letter}'");
                manual_seed(0);
                using var source = MakeTrained(scale, classes, single, a.String("optimizer"));
                manual_seed(1);
                using var target = new TrainingStep(new YoloDetector(scale, classes), single, optimizer: a.String("optimizer"));
                var state = new TrainingState { Epoch = 3, StepInEpoch = 17, GlobalBatch = 16, LastOptimizerStep = 100, WorldSize = 1 };
                string dir = Path.Combine(root, scale.Name), bgDir = Path.Combine(root, scale.Name + "-background");
                var snapshot = new List<double>(); var enqueue = new List<double>(); var write = new List<double>(); var load = new List<double>(); var restore = new List<double>();
                long bytes = 0;
                int tensors = 0;
                using var store = new CheckpointStore(new RunFolder(dir), background: false);
                using var background = new CheckpointStore(new RunFolder(bgDir), background: true);
                for (int r = 0; r < warmup + repeats; r++)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    var data = TrainingCheckpoint.Snapshot(new TrainingParts(source.Model, source.Ema!, source.Optimizer), state, run, null, pending);
                    long t1 = Stopwatch.GetTimestamp();
                    long dataBytes = data.DataBytes;
                    background.Save(data, best: false, epochSnapshot: null);
                    long t2 = Stopwatch.GetTimestamp();
                    background.Flush();   // not timed: it overlaps training in a real run; waiting here keeps the timed write alone on the disk
                    // The synchronous store writes its own snapshot (a store disposes what it wrote); only the write is timed.
                    var again = TrainingCheckpoint.Snapshot(new TrainingParts(source.Model, source.Ema!, source.Optimizer), state, run, null, pending);
                    long t3 = Stopwatch.GetTimestamp();
                    store.Save(again, best: false, epochSnapshot: null);
                    long t4 = Stopwatch.GetTimestamp();
                    using var loaded = Checkpoint.Load(store.Last);
                    long t5 = Stopwatch.GetTimestamp();
                    TrainingCheckpoint.Restore(loaded, store.Last, new TrainingParts(target.Model, target.Ema!, target.Optimizer));
                    long t6 = Stopwatch.GetTimestamp();
                    bytes = new FileInfo(store.Last).Length;
                    tensors = loaded.Tensors.Count;
                    if (r < warmup) continue;
                    snapshot.Add(Ms(t0, t1)); enqueue.Add(Ms(t1, t2)); write.Add(Ms(t3, t4)); load.Add(Ms(t4, t5)); restore.Add(Ms(t5, t6));
                }
                double mb = bytes / 1e6;
                var pause = snapshot.Zip(enqueue, (s, e) => s + e).ToArray();
                table.Add(scale.Name, $"{source.Model.parameters().Sum(p => p.numel()) / 1e6:F1}M", tensors, $"{mb:F1}",
                    Harness.Summary.Of(snapshot).Format("F0"), Harness.Summary.Of(enqueue).Format("F2"), Harness.Summary.Of(pause).Format("F0"),
                    Harness.Summary.Of(write).Format("F0"), Harness.Summary.Of(write.Select(ms => mb / (ms / 1e3)).ToArray()).Format("F0"),
                    Harness.Summary.Of(load).Format("F0"), Harness.Summary.Of(load.Select(ms => mb / (ms / 1e3)).ToArray()).Format("F0"),
                    Harness.Summary.Of(restore).Format("F0"));
                GC.Collect();
            }
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        table.Write(o);
        o.WriteLine("  pause = snapshot + enqueue: what the training loop sees per save when the store writes in the background (the trainer's default).");
        return 0;
    }

    /// <summary>A model, EMA and optimizer after one real step, so the optimizer holds all its buffers.</summary>
    static TrainingStep MakeTrained(ModelScale scale, int classes, ICommunicator comm, string optimizer)
    {
        var step = new TrainingStep(new YoloDetector(scale, classes), comm, optimizer: optimizer);
        using var batch = RandomBatch.Create(2, 64, classes);
        step.Run(batch, distributed: true);
        return step;
    }

    static double Ms(long from, long to) => (to - from) * 1e3 / Stopwatch.Frequency;
}
