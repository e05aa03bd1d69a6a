using System.Diagnostics;
using System.Globalization;
using Forge.Core.Config;
using Forge.Core.Serialization;
using Forge.Data.Augmentation;
using Forge.Data.Datasets;
using Forge.Data.Loading;
using Forge.Models;
using Forge.Models.Loss;
using Forge.Training.Checkpoints;
using Forge.Training.Optimization;
using Forge.Training.Reporting;
using Forge.Training.Validation;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Training;

/// <summary>
/// The training loop: Ultralytics' recipe (nominal-batch gradient accumulation, warm-up, linear/cosine LR, EMA, mosaic
/// closed for the last epochs, fitness = 0.1 mAP50 + 0.9 mAP50-95, early stop) on TorchSharp, with every native tensor
/// created inside a dispose scope so memory stays flat over long runs.
/// </summary>
public sealed class Trainer
{
    readonly ForgeConfig cfg;
    readonly TextWriter log;

    public Trainer(ForgeConfig config, TextWriter? log = null)
    {
        cfg = config.Clone();
        this.log = log ?? Console.Out;
    }

    public TrainResult Train()
    {
        var wall = Stopwatch.StartNew();
        cfg.Validate();
        var device = DeviceSelector.Resolve(cfg.Device);
        DeviceSelector.ConfigureThreads(cfg.Threads);
        manual_seed(cfg.Seed);

        // Data
        var spec = DatasetResolver.Load(cfg.Data);
        var names = spec.Names;
        int nc = names.Length;
        var run = RunFolder.Create(cfg.Project, cfg.Name ?? "train", cfg.ExistOk);
        cfg.Set("name", Path.GetFileName(run.Path));
        AtomicFile.WriteText(run.ArgsYaml, cfg.ToYaml());
        log.WriteLine($"Forge {ForgeInfo.Version}  device={cfg.Device}  threads={get_num_threads()}  run={run.Path}");

        var trainIndex = BuildIndex(spec.Train, nc, "train");
        var valIndex = spec.Val.Count > 0 ? BuildIndex(spec.Val, nc, "val") : null;

        // Model, loss, optimizer
        using var model = BuildModel(nc);
        model.to(device);
        model.train();
        var loss = new DetectionLoss(model, new LossGains(cfg.BoxGain, cfg.ClsGain, cfg.DflGain));
        int batch = cfg.Batch;
        int nominal = cfg.NominalBatch;
        int accumulateTarget = Math.Max((int)Math.Round(nominal / (double)batch, MidpointRounding.ToEven), 1);
        double weightDecay = cfg.WeightDecay * batch * accumulateTarget / nominal;
        var trainLoader = new BatchLoader(
            new DetectionDataset(trainIndex, cfg.ImgSize, augment: true, AugmentOptionsFrom(cfg), cacheImages: cfg.Cache),
            new LoaderOptions { BatchSize = batch, Workers = cfg.Workers, Prefetch = Math.Max(2, cfg.Workers), Seed = cfg.Seed },
            new ShuffleSampler(trainIndex.Count, cfg.Seed));
        int nb = trainLoader.BatchesPerEpoch;
        using var optimizer = BuildOptimizer(model, nc, trainIndex.Count, weightDecay, out double warmupBiasLr);
        var schedule = new LearningRateSchedule(cfg.Epochs, cfg.Lrf, cfg.CosLr, warmupBiasLr, cfg.WarmupMomentum, cfg.Momentum);
        using var ema = new ModelEma(model, () => new YoloDetector(model.Scale, nc).to(device));
        var validator = valIndex is null ? null
            : new Validator(valIndex, names, cfg.ImgSize, batch * 2, cfg.Workers, device, cacheImages: cfg.Cache);
        var results = new ResultsCsv(run.ResultsCsv);
        var stopper = new EarlyStopping(cfg.Patience);

        long warmupIterations = cfg.WarmupEpochs > 0 ? Math.Max((long)Math.Round(cfg.WarmupEpochs * nb), 100) : -1;
        long lastOptimizerStep = -1;
        int accumulate = accumulateTarget;
        log.WriteLine($"{optimizer.Kind}(lr={optimizer.Groups[1].InitialLr:0.######}, momentum={optimizer.Groups[1].Momentum}) with parameter groups " +
                      $"{optimizer.Groups[2].Parameters.Count} weight(decay=0.0), {optimizer.Groups[1].Parameters.Count} weight(decay={weightDecay:0.######}), {optimizer.Groups[0].Parameters.Count} bias(decay=0.0)");
        log.WriteLine($"Image sizes {cfg.ImgSize} train, {cfg.ImgSize} val; {cfg.Workers} dataloader workers; accumulating to a nominal batch of {nominal} ({accumulateTarget} x {batch})");
        log.WriteLine($"Starting training for {cfg.Epochs} epochs...");

        schedule.ApplyEpoch(optimizer, 0);
        ValidationResult? lastVal = null;
        int epochsDone = 0;
        bool stoppedEarly = false;
        for (int epoch = 0; epoch < cfg.Epochs; epoch++)
        {
            var epochClock = Stopwatch.StartNew();
            bool mosaic = epoch < cfg.Epochs - cfg.CloseMosaic;
            if (cfg.CloseMosaic > 0 && epoch == cfg.Epochs - cfg.CloseMosaic) log.WriteLine("Closing dataloader mosaic");
            model.train();
            var mean = new LossItems(0, 0, 0);
            int seen = 0;
            log.WriteLine($"\n{"Epoch",11}{"box_loss",11}{"cls_loss",11}{"dfl_loss",11}{"Instances",11}{"Size",11}");
            var bar = new ProgressBar(nb, log == Console.Out ? null : log);
            foreach (var b in trainLoader.Epoch(epoch, mosaic))
            {
                long ni = b.Index + (long)nb * epoch;
                if (ni <= warmupIterations)
                {
                    accumulate = LearningRateSchedule.WarmupAccumulation(ni, warmupIterations, nominal, batch);
                    schedule.ApplyWarmup(optimizer, ni, warmupIterations, epoch);
                }
                int instances = b.TargetCount, height = b.Height, width = b.Width;
                if (epoch == 0 && b.Index < 3 && cfg.Plots) RunPlots.WriteTrainBatch(run, b, names, b.Index, log);
                LossItems items;
                using (var scope = NewDisposeScope())
                {
                    var images = BatchTensors.Images(b, device);
                    using var targets = BatchTensors.Targets(b, device);
                    b.Dispose();
                    var raw = model.forward(images);
                    var (total, it) = loss.Compute(raw, targets, height, width);
                    total.backward();
                    items = it;
                }
                if (!float.IsFinite(items.Total))
                    throw new InvalidOperationException($"epoch {epoch + 1}, batch {b.Index}: the loss is not finite ({items}); lower lr0 or check the labels");

                if (ni - lastOptimizerStep >= accumulate)
                {
                    GradientClipping.ClipByTotalNorm(model.parameters(), cfg.MaxNorm);
                    optimizer.Step();
                    optimizer.ZeroGrad();
                    ema.Update();
                    lastOptimizerStep = ni;
                }

                seen++;
                mean = mean.Scale((seen - 1f) / seen) + items.Scale(1f / seen);
                bar.Update(seen, string.Create(CultureInfo.InvariantCulture,
                    $"{$"{epoch + 1}/{cfg.Epochs}",11}{mean.Box,11:0.0000}{mean.Cls,11:0.0000}{mean.Dfl,11:0.0000}{instances,11}{height,11}"));
            }
            var lrs = optimizer.Groups.Select(g => g.Lr).ToArray();
            schedule.ApplyEpoch(optimizer, epoch + 1);
            epochsDone = epoch + 1;

            // Validate the EMA, record, save.
            bool finalEpoch = epoch + 1 == cfg.Epochs;
            if (validator is not null && (cfg.Val || finalEpoch))
            {
                lastVal = validator.Run(ema.Model, loss, log, $"{"",11}{"Validating",-44}");
                Validator.PrintTable(log, lastVal.Metrics, names, perClass: false);
            }
            double fitness = lastVal?.Fitness ?? -mean.Total;   // without validation, lower training loss is better
            stoppedEarly = stopper.Step(epoch, fitness);
            var m = lastVal?.Metrics;
            // Each epoch leaves its checkpoint buffers (twice the model size) as large-object garbage that the GC collects
            // rarely; collecting before the memory reading (Ultralytics also collects every epoch) keeps the column's
            // rise meaning retained memory instead of a sawtooth of garbage.
            GC.Collect();
            results.Append([
                epoch + 1, mean.Box, mean.Cls, mean.Dfl,
                m?.Precision ?? double.NaN, m?.Recall ?? double.NaN, m?.Map50 ?? double.NaN, m?.Map50To95 ?? double.NaN,
                lastVal?.Loss.Box ?? double.NaN, lastVal?.Loss.Cls ?? double.NaN, lastVal?.Loss.Dfl ?? double.NaN,
                lrs[0], lrs[1], lrs[2], epochClock.Elapsed.TotalSeconds, ProcessMemory.ResidentMegabytes(),
            ]);
            if (cfg.Save)
            {
                // One serialisation, written atomically to every file that should hold it.
                var bytes = CheckpointBytes(ema.Model, new CheckpointInfo(epoch + 1, stopper.BestFitness, m, cfg, names, model.Architecture));
                AtomicFile.Write(run.LastCheckpoint, bytes);
                if (stopper.IsBest(epoch)) AtomicFile.Write(run.BestCheckpoint, bytes);
                if (cfg.SavePeriod > 0 && (epoch + 1) % cfg.SavePeriod == 0)
                    AtomicFile.Write(Path.Combine(run.WeightsDir, $"epoch{epoch + 1}.safetensors"), bytes);
            }
            if (stoppedEarly)
            {
                log.WriteLine($"Stopping training early as no improvement observed in the last {cfg.Patience} epochs. Best results observed at epoch {stopper.BestEpoch + 1}.");
                break;
            }
        }

        log.WriteLine($"\n{epochsDone} epochs completed in {wall.Elapsed.TotalHours:0.000} hours.");
        ValidationResult? final = null;
        if (cfg.Save)
        {
            log.WriteLine($"Optimizer stripped: no (checkpoints hold deploy weights)");
            log.WriteLine($"Saved {run.LastCheckpoint}");
            log.WriteLine($"Saved {run.BestCheckpoint}");
        }
        if (validator is not null && cfg.Save && File.Exists(run.BestCheckpoint))
        {
            log.WriteLine($"\nValidating {run.BestCheckpoint}...");
            var (best, _) = ModelFactory.FromCheckpoint(run.BestCheckpoint);
            using (best)
            {
                best.to(device);
                final = validator.Run(best, null, log, $"{"",11}{"Validating",-44}");
            }
            Validator.PrintTable(log, final.Metrics, names, perClass: cfg.Verbose);
            log.WriteLine($"Speed: {final.PreprocessMsPerImage:0.0}ms preprocess, {final.InferenceMsPerImage:0.0}ms inference, {final.PostprocessMsPerImage:0.0}ms postprocess per image");
            if (cfg.Plots) RunPlots.WriteValidationPlots(run, final, names, log);
        }
        if (cfg.Plots) RunPlots.WriteResultsPlot(run, log);
        log.WriteLine($"Results saved to {run.Path}");
        return new TrainResult(run.Path, run.LastCheckpoint, run.BestCheckpoint, final ?? lastVal, epochsDone, stoppedEarly, wall.Elapsed);
    }

    DatasetIndex BuildIndex(IReadOnlyList<string> sources, int nc, string split)
    {
        var issues = new DataIssueLog(log);
        var index = DatasetIndex.Build(sources, nc, issues, split, threads: 0, cacheImageSize: cfg.Cache ? cfg.ImgSize : 0);
        log.WriteLine($"{split}: {issues.Summary()}".Replace($"{split}: {split}:", $"{split}:"));
        if (index.Count == 0) throw new InvalidDataException($"{split}: no usable images in {string.Join(", ", sources)}");
        return index;
    }

    YoloDetector BuildModel(int nc)
    {
        if (!ModelFactory.IsWeightsFile(cfg.Model)) return ModelFactory.Create(cfg.Model, nc);
        // Fine-tuning: architecture from the file, classes from the dataset, weights matched by name and shape.
        using var ckpt = Checkpoint.Load(cfg.Model);
        var arch = ckpt.Get("architecture") ?? throw new InvalidDataException($"{cfg.Model}: no architecture in the metadata");
        var (scale, _) = ModelFactory.ParseArchitecture(arch, cfg.Model);
        var model = new YoloDetector(scale, nc);
        var report = ModelFactory.LoadMatching(model, ckpt.Section(Checkpoint.ModelPrefix));
        log.WriteLine($"Transferred weights from {cfg.Model}: {report.Describe()}");
        return model;
    }

    Optimizer BuildOptimizer(YoloDetector model, int nc, int trainImages, double weightDecay, out double warmupBiasLr)
    {
        var groups = ParamGroup.SplitForDetection(model.named_parameters().Select(p => (p.name, (Tensor)p.parameter)), weightDecay);
        string name = cfg.Optimizer;
        double lr = cfg.Lr0, momentum = cfg.Momentum;
        warmupBiasLr = cfg.WarmupBiasLr;
        if (name.Equals("auto", StringComparison.OrdinalIgnoreCase))
        {
            // Ultralytics' choice: AdamW with a class-count-fitted LR for short runs, SGD for long ones.
            long iterations = (long)Math.Ceiling(trainImages / (double)Math.Max(cfg.Batch, cfg.NominalBatch)) * cfg.Epochs;
            if (iterations > 10000) { name = "SGD"; lr = 0.01; momentum = 0.9; }
            else { name = "AdamW"; lr = Math.Round(0.002 * 5 / (4 + nc), 6); momentum = 0.9; warmupBiasLr = 0.0; }
            log.WriteLine($"optimizer=auto: chose {name}(lr={lr}, momentum={momentum}) for {iterations} iterations");
        }
        foreach (var g in groups) { g.InitialLr = lr; g.Lr = lr; g.Momentum = momentum; }
        return name.Equals("sgd", StringComparison.OrdinalIgnoreCase) ? new Sgd(groups, nesterov: true) : new AdamW(groups);
    }

    static AugmentOptions AugmentOptionsFrom(ForgeConfig c) => new()
    {
        HsvH = c.GetFloat("hsv_h"), HsvS = c.GetFloat("hsv_s"), HsvV = c.GetFloat("hsv_v"),
        Degrees = c.GetFloat("degrees"), Translate = c.GetFloat("translate"), Scale = c.GetFloat("scale"),
        Shear = c.GetFloat("shear"), Perspective = c.GetFloat("perspective"),
        FlipUd = c.GetFloat("flipud"), FlipLr = c.GetFloat("fliplr"), Mosaic = c.GetFloat("mosaic"), MixUp = c.GetFloat("mixup"),
    };

    static byte[] CheckpointBytes(YoloDetector weights, CheckpointInfo info)
    {
        var ckpt = new Checkpoint();
        ckpt.AddModule(Checkpoint.ModelPrefix, weights);
        info.WriteTo(ckpt);
        return ckpt.Serialize();
    }
}
