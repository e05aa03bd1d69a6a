using System.Globalization;
using Forge.Bench.Harness;
using Forge.Core.Config;
using Forge.Synthetic;
using Forge.Training;

namespace Forge.Bench.Benchmarks;

/// <summary>
/// The full trainer (Trainer.Train: loader workers, mosaic, forward, loss, backward, clip, optimizer, EMA, validation of the
/// EMA every epoch, results rows, checkpoints) on a generated shapes dataset, the workload of issue 13: 400 train and 100 val
/// images of 320x320 with 1-6 objects, yolov8n from scratch at imgsz 320, batch 16, workers 2, default settings.
/// Prints per epoch the training and validation wall time and images/s and the resident memory, then medians, the peak
/// resident memory of the process while training (VmHWM, reset after the dataset is generated) and the last mAP.
/// </summary>
public sealed class TrainEpochBenchmark : IBenchmark
{
    public string Name => "train-epoch";
    public string Summary => "the full trainer on 400/100 generated 320x320 shapes images: training and validation images/s, s/epoch, resident memory per epoch and peak";

    public IReadOnlyList<BenchKey> Keys { get; } =
    [
        new("epochs", "3", "epochs to train (30 for the issue's accuracy comparison)"),
        new("model", "yolov8n", "model setting"),
        new("imgsz", "320", "training and validation image size"),
        new("batch", "16", "batch setting"),
        new("workers", "2", "loader threads"),
        new("train", "400", "generated training images"),
        new("val", "100", "generated validation images"),
        new("size", "320", "side of the generated images, pixels"),
        new("extra", "", "more trainer settings, comma-separated key=value (e.g. cache=true,amp=false)"),
        new("log", "false", "show the trainer's own output", ["false", "true"]),
        new("dir", Path.Combine(Path.GetTempPath(), "forge-bench", "train-epoch"), "datasets (kept and reused) and run folders (removed)"),
    ];

    public int Run(BenchContext ctx)
    {
        var a = ctx.Args;
        var o = ctx.Out;
        if (!ctx.Comm.IsMain) return 0;
        int epochs = a.Int("epochs");
        if (epochs < 1) throw new BenchUsageException("epochs >= 1");
        string root = a.String("dir");
        var options = new ShapesDatasetOptions
        {
            Name = $"shapes-{a.Int("train")}-{a.Int("val")}-{a.Int("size")}",
            TrainImages = a.Int("train"), ValImages = a.Int("val"), ImageSize = a.Int("size"), MinObjects = 1, MaxObjects = 6,
        };
        string yaml = ShapesDataset.Ensure(Path.Combine(root, "datasets"), options);
        string project = Path.Combine(root, $"runs-{Environment.ProcessId}");
        var cfg = Config(a, yaml, project, epochs);
        o.WriteLine($"method: Trainer.Train with {Describe(cfg)}; dataset {yaml} ({options.TrainImages} train / {options.ValImages} val images,");
        o.WriteLine($"        {options.ImageSize} px, {ShapesDataset.ClassNames.Count} shape classes, {options.MinObjects}-{options.MaxObjects} objects, seed {options.Seed}, generated once and reused).");
        o.WriteLine("        train = the epoch's steps (loader included) up to validation; loader wait = the part of it the loop waited for the next batch;");
        o.WriteLine("        val = validating the EMA on the val images;");
        o.WriteLine("        RSS = resident memory after the epoch (results.csv mem/rss_mb); peak = VmHWM of this process, reset before training;");
        o.WriteLine("        managed/native/free = after the epoch: .NET heap, glibc malloc in use (tensors, images), freed but held by malloc (mallinfo2).");
        o.WriteLine();
        var reports = new List<EpochReport>();
        ResetPeakResident();
        try
        {
            var trainer = new Trainer(cfg, new TrainerOptions { Log = a.Bool("log") ? o : TextWriter.Null, EpochEnded = reports.Add });
            trainer.Train();
        }
        finally
        {
            if (Directory.Exists(project)) Directory.Delete(project, recursive: true);
        }
        double peak = PeakResidentMegabytes();
        Print(o, reports, peak);
        return 0;
    }

    static ForgeConfig Config(BenchArgs a, string yaml, string project, int epochs)
    {
        var cfg = new ForgeConfig();
        var args = new List<string>
        {
            $"data={yaml}", $"model={a.String("model")}", $"imgsz={a.Int("imgsz")}", $"batch={a.Int("batch")}", $"workers={a.Int("workers")}",
            $"epochs={epochs}", $"project={project}", "name=train", "exist_ok=true",
        };
        if (a.Raw("extra").Length > 0) args.AddRange(a.List("extra"));
        try { cfg.ApplyArguments(args); }
        catch (ConfigException e) { throw new BenchUsageException($"extra={a.Raw("extra")}: {e.Message}"); }
        return cfg;
    }

    static string Describe(ForgeConfig cfg) => string.Create(CultureInfo.InvariantCulture,
        $"model={cfg.Model} imgsz={cfg.ImgSize} batch={cfg.Batch} workers={cfg.Workers} epochs={cfg.Epochs} cache={ForgeConfig.FormatValue(cfg["cache"])} " +
        $"amp={cfg.Amp}{Precision(cfg)} (other settings default)");

    /// <summary>What amp= means on CPU: " (bfloat16 forward)" for amp=bf16, " (float32)" otherwise.</summary>
    static string Precision(ForgeConfig cfg) =>
        !cfg.Device.StartsWith("cpu", StringComparison.OrdinalIgnoreCase) ? ""
        : TensorLibrary.TrainsInBFloat16(cfg.Amp, TorchSharp.torch.CPU) ? " (bfloat16 forward)" : " (float32)";

    static void Print(TextWriter o, List<EpochReport> reports, double peak)
    {
        var table = new TextTable("epoch", "train s", "train img/s", "loader wait", "val s", "val img/s", "epoch s", "RSS MB", "managed/native/free MB", "mAP50", "mAP50-95");
        foreach (var r in reports)
            table.Add(r.Epoch, r.TrainSeconds.ToString("F1", CultureInfo.InvariantCulture), Rate(r.TrainImages, r.TrainSeconds),
                FormattableString.Invariant($"{r.LoaderWaitSeconds:F1} s ({100 * r.LoaderWaitSeconds / r.TrainSeconds:F1}%)"),
                r.ValSeconds.ToString("F1", CultureInfo.InvariantCulture), Rate(r.ValImages, r.ValSeconds),
                (r.TrainSeconds + r.ValSeconds).ToString("F1", CultureInfo.InvariantCulture), r.ResidentMegabytes.ToString("F0", CultureInfo.InvariantCulture),
                r.Memory is { } m ? FormattableString.Invariant($"{m.ManagedHeap:F0}/{m.NativeInUse:F0}/{m.NativeFreeHeld:F0}") : "-",
                r.Map50?.ToString("F3", CultureInfo.InvariantCulture) ?? "-", r.Map50To95?.ToString("F3", CultureInfo.InvariantCulture) ?? "-");
        table.Write(o);
        o.WriteLine();
        // The first epoch carries JIT compilation and first-touch allocations; the medians leave it out when there are more.
        var steady = reports.Count > 1 ? reports.Skip(1).ToList() : reports;
        var validated = steady.Where(r => r.ValImages > 0).ToList();
        string val = validated.Count > 0 ? FormattableString.Invariant($"val {Harness.Summary.Of(validated.Select(r => r.ValImages / r.ValSeconds).ToArray()).Format("F1")} img/s; ") : "";
        o.WriteLine(FormattableString.Invariant(
            $"median over epochs {steady[0].Epoch}-{steady[^1].Epoch}: train {Harness.Summary.Of(steady.Select(r => r.TrainSeconds).ToArray()).Format("F1")} s/epoch, ") +
            FormattableString.Invariant($"{Harness.Summary.Of(steady.Select(r => r.TrainImages / r.TrainSeconds).ToArray()).Format("F1")} img/s, ") +
            FormattableString.Invariant($"loader wait {Harness.Summary.Of(steady.Select(r => 100 * r.LoaderWaitSeconds / r.TrainSeconds).ToArray()).Format("F1")}% of it; ") + val +
            FormattableString.Invariant($"epoch with validation {Harness.Summary.Of(steady.Select(r => r.TrainSeconds + r.ValSeconds).ToArray()).Format("F1")} s"));
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"resident memory: peak {peak:F0} MB while training; after each epoch {string.Join(", ", reports.Select(r => r.ResidentMegabytes.ToString("F0", CultureInfo.InvariantCulture)))} MB"));
        if (reports[^1].Map50 is { } map50)
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"after epoch {reports[^1].Epoch}: mAP50 {map50:F3}, mAP50-95 {reports[^1].Map50To95:F3}"));
    }

    static string Rate(int images, double seconds) => images > 0 && seconds > 0 ? (images / seconds).ToString("F1", CultureInfo.InvariantCulture) : "-";

    /// <summary>Linux: writing 5 to /proc/self/clear_refs resets VmHWM, so the peak covers training only, not the dataset generation.</summary>
    static void ResetPeakResident()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>VmHWM of /proc/self/status in MiB (0 where there is none).</summary>
    static double PeakResidentMegabytes()
    {
        if (!File.Exists("/proc/self/status")) return 0;
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }
}
