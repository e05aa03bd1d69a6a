using System.Diagnostics;
using System.Globalization;
using Forge.Core.Config;
using Forge.Core.Metrics;
using Forge.Data.Augmentation;
using Forge.Data.Datasets;
using Forge.Data.Loading;
using Forge.Distributed;
using Forge.Models;
using Forge.Models.Layers;
using Forge.Models.Loss;
using Forge.Reporting;
using Forge.Training.Checkpoints;
using Forge.Training.Optimization;
using Forge.Training.Reporting;
using Forge.Training.Resume;
using Forge.Training.Validation;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Training;

/// <summary>
/// The training loop: Ultralytics' recipe (nominal-batch gradient accumulation, warm-up, linear/cosine LR, EMA, mosaic
/// closed for the last epochs, fitness = 0.1 mAP50 + 0.9 mAP50-95, early stop) on TorchSharp, on one process or many.
/// <para>Data parallel: every rank runs this same code with its own <see cref="ICommunicator"/>; each global batch is split
/// across ranks (<see cref="GlobalBatchShardSampler"/>), the loss normaliser is summed over ranks and gradients are averaged
/// before each optimizer step, so N ranks compute the same update as one process on the whole batch. Logging, plots and
/// every file write happen on global rank 0 only; all ranks reach each save barrier.</para>
/// <para>Checkpoints hold the complete state (<see cref="TrainingCheckpoint"/>); resume= continues exactly where the last
/// save stopped, on any number of ranks. Every native tensor is created inside a dispose scope so memory stays flat.</para>
/// </summary>
public sealed class Trainer
{
    readonly ForgeConfig requested;
    readonly TextWriter output;
    readonly ICommunicator comm;
    readonly StopSignal stop;

    readonly Func<ModelScale, int, YoloDetector> modelFactory;

    /// <param name="communicator">This process's rank in a data-parallel job (default: a single process).</param>
    /// <param name="stopSignal">Where SIGTERM/SIGINT requests arrive (default: none installed).</param>
    /// <param name="modelFactory">Builds the detector for a scale and class count (default: <see cref="YoloDetector"/>), for
    /// library users training their own variant.</param>
    public Trainer(ForgeConfig config, TextWriter? log = null, ICommunicator? communicator = null, StopSignal? stopSignal = null,
                   Func<ModelScale, int, YoloDetector>? modelFactory = null)
    {
        requested = config.Clone();
        output = log ?? Console.Out;
        comm = communicator ?? new SingleProcessCommunicator();
        stop = stopSignal ?? new StopSignal(install: false);
        this.modelFactory = modelFactory ?? ModelFactory.DefaultDetector;
    }

    public TrainResult Train()
    {
        var wall = Stopwatch.StartNew();
        var log = comm.IsMain ? output : TextWriter.Null;

        // Resume: the run's own settings and folder; otherwise a new run folder.
        Checkpoint? resumeFrom = null;
        string? resumePath = null;
        ForgeConfig cfg;
        RunFolder run;
        if (!string.IsNullOrEmpty(requested.Resume) && !requested.Resume.Equals("false", StringComparison.OrdinalIgnoreCase))
        {
            var folder = ResumeResolver.FindRunFolder(requested.Resume, requested.Project);
            run = new RunFolder(folder);
            var existing = new CheckpointStore(run.WeightsDir, background: false);
            var preferred = File.Exists(requested.Resume) ? new[] { Path.GetFullPath(requested.Resume) } : null;
            (resumeFrom, resumePath) = existing.LoadNewestValid(log, preferred);
            var saved = CheckpointInfo.ReadTrainArgs(resumeFrom, resumePath)
                        ?? throw new InvalidDataException($"{resumePath}: no training arguments stored; cannot resume");
            cfg = ResumeResolver.Merge(saved, requested, log);
        }
        else
        {
            cfg = requested.Clone();
            run = null!;
        }
        cfg.Validate();
        // One GPU per rank: each rank sees only its local rank's GPU, as cuda:0, before CUDA starts.
        bool multiGpu = cfg.Device.StartsWith("cuda", StringComparison.Ordinal) && comm.WorldSize > 1;
        if (multiGpu) CudaVisibility.PinLocalRank(comm.LocalRank);
        var device = DeviceSelector.Resolve(multiGpu ? "cuda:0" : cfg.Device);
        DeviceSelector.ConfigureThreads(cfg.Threads, comm.LocalSize);
        manual_seed(cfg.Seed);

        // Data (every rank indexes the data; only rank 0 reports).
        var spec = DatasetResolver.Load(cfg.Data);
        var names = spec.Names;
        int nc = names.Length;
        if (resumeFrom is null)
        {
            run = comm.IsMain ? RunFolder.Create(cfg.Project, cfg.Name ?? "train", cfg.ExistOk) : null!;
            run = new RunFolder(BroadcastString(run?.Path));
            cfg.Set("name", Path.GetFileName(run.Path));
        }
        if (comm.IsMain) Forge.Core.Serialization.AtomicFile.WriteText(run.ArgsYaml, cfg.ToYaml());
        log.WriteLine($"Forge {ForgeInfo.Version}  device={cfg.Device}  ranks={comm.WorldSize} ({comm.Backend})  threads/rank={get_num_threads()}  run={run.Path}");
        if (cfg.Rect) throw new ConfigException("rect=true: rectangular training is not supported; validation always uses rectangular batches like Ultralytics' (rect=false in 'forge val' gives square ones)");
        var apMethod = ApMethods.Parse(cfg.ApMethod);
        var trainIndex = BuildIndex(spec.Train, nc, "train", cfg, log, spec.CocoImagesFor);
        var valIndex = spec.Val.Count > 0 ? BuildIndex(spec.Val, nc, "val", cfg, log, spec.CocoImagesFor) : null;
        var fingerprint = new DataFingerprint(trainIndex.Fingerprint, valIndex?.Fingerprint, trainIndex.Count, valIndex?.Count ?? 0);

        // Model, loss, optimizer.
        using var model = BuildModel(cfg, nc, resumeFrom is not null, log, modelFactory);
        model.to(device);
        model.train();
        int world = comm.WorldSize;
        // Before anything holds the model's parameters (optimizer, reducer, EMA): conversion replaces the BatchNorm tensors.
        if (cfg.SyncBn && world > 1) log.WriteLine($"sync_bn: {BatchNormReplacement.Replace(model, bn => new SyncBatchNorm2d(bn, comm))} BatchNorm layers synchronise their statistics across {world} ranks");
        int batch = cfg.Batch;
        int nominal = cfg.NominalBatch;
        int accumulateTarget = Math.Max((int)Math.Round(nominal / (double)batch, MidpointRounding.ToEven), 1);
        double weightDecay = cfg.WeightDecay * batch * accumulateTarget / nominal;
        var epochOrder = new ShuffleSampler(trainIndex.Count, cfg.Seed);
        var fullEpoch = new GlobalBatchShardSampler(epochOrder, batch, comm.Rank, world);
        int nb = fullEpoch.GlobalSteps;
        var trainData = new DetectionDataset(trainIndex, cfg.ImgSize, augment: true, AugmentOptionsFrom(cfg), cacheImages: cfg.Cache)
        {
            MosaicBuffer = new MosaicBuffer(epochOrder, MosaicBuffer.CapacityFor(trainIndex.Count, batch)),
        };
        var loaderOptions = new LoaderOptions { BatchSize = fullEpoch.RankBatch, Workers = cfg.Workers, Prefetch = Math.Max(2, cfg.Workers), Seed = cfg.Seed };
        var loss = new DetectionLoss(model, new LossGains(cfg.BoxGain, cfg.ClsGain, cfg.DflGain));
        using var optimizer = BuildOptimizer(cfg, model, nc, trainIndex.Count, weightDecay, log, out double warmupBiasLr);
        var schedule = new LearningRateSchedule(cfg.Epochs, cfg.Lrf, cfg.CosLr, warmupBiasLr, cfg.WarmupMomentum, optimizer.Groups[1].Momentum);
        using var ema = new ModelEma(model, () => modelFactory(model.Scale, nc).to(device));
        // CUDA gradients are summed on the GPUs with NCCL; CPU ones through MPI (FORGE_DDP_BACKEND=mpi forces MPI for both).
        using var nccl = device.type == DeviceType.CUDA && world > 1 && Environment.GetEnvironmentVariable("FORGE_DDP_BACKEND") != "mpi"
            ? new NcclAllReduce(comm) : null;
        using var reducer = GradientBucketReducer.ForModule(model, comm, (long)(cfg.BucketMb * 1024 * 1024),
            warning: m => log.WriteLine("WARNING: " + m), deviceAllReduce: nccl);
        var validator = valIndex is null ? null
            : new Validator(valIndex, names, cfg.ImgSize, batch * 2, cfg.Workers, device, cacheImages: cfg.Cache, comm: comm, apMethod: apMethod,
                stride: model.Strides.Max());
        var results = new ResultsTable(run.ResultsCsv);
        if (cfg.Plots && comm.IsMain) RunPlots.WriteLabels(run.Path, trainIndex.Items.SelectMany(i => i.Labels), names, log);
        using var store = new CheckpointStore(run.WeightsDir, cfg.Keep, background: true);

        // Start identical everywhere: fresh runs take rank 0's weights, resumed runs load the same file on every rank.
        var state = new TrainingState { GlobalBatch = batch, Accumulate = accumulateTarget, WorldSize = world };
        schedule.ApplyEpoch(optimizer, 0);
        if (resumeFrom is not null)
        {
            var savedFingerprint = resumeFrom.GetJson<DataFingerprint>("data_fingerprint");
            using (resumeFrom) state = TrainingCheckpoint.Restore(resumeFrom, resumePath!, model, ema, optimizer);
            CheckResumable(state, savedFingerprint, cfg, fingerprint, resumePath!, log);
            results.LoadExisting(state.Epoch + 1);
            log.WriteLine($"Resuming {run.Path} from {resumePath}: epoch {state.Epoch + 1}/{cfg.Epochs}, step {state.StepInEpoch}/{nb}" +
                          (state.WorldSize != world ? $" (saved by {state.WorldSize} ranks, continuing on {world})" : ""));
            state.WorldSize = world;
        }
        else
        {
            TensorCollectives.BroadcastModuleState(model, comm);
            ema.CopyFrom();
        }
        TensorCollectives.VerifyIdenticalState(model, comm);
        var stopper = new EarlyStopping(cfg.Patience) { BestFitness = state.BestFitness, BestEpoch = state.BestEpoch };

        long warmupIterations = cfg.WarmupEpochs > 0 ? Math.Max((long)Math.Round(cfg.WarmupEpochs * nb), 100) : -1;
        log.WriteLine($"{optimizer.Kind}(lr={optimizer.Groups[1].InitialLr:0.######}, momentum={optimizer.Groups[1].Momentum}) with parameter groups " +
                      $"{optimizer.Groups[2].Parameters.Count} weight(decay=0.0), {optimizer.Groups[1].Parameters.Count} weight(decay={weightDecay:0.######}), {optimizer.Groups[0].Parameters.Count} bias(decay=0.0)");
        log.WriteLine($"Image sizes {cfg.ImgSize} train, {cfg.ImgSize} val; {cfg.Workers} dataloader workers per rank; global batch {batch} = {world} x {fullEpoch.RankBatch}, accumulated to a nominal batch of {nominal} ({accumulateTarget} steps)");
        if (state.Finished) log.WriteLine($"{run.Path} already finished its {cfg.Epochs} epochs; nothing to resume.");
        else log.WriteLine($"Starting training for {cfg.Epochs} epochs...");

        ValidationResult? lastVal = null;
        bool stoppedEarly = false, interrupted = false;
        var stepValues = new double[4];   // box, cls, dfl (this rank's share), stop request: one all-reduce per step
        while (!state.Finished && state.Epoch < cfg.Epochs)
        {
            int epoch = state.Epoch;
            var epochClock = Stopwatch.StartNew();
            bool mosaic = epoch < cfg.Epochs - cfg.CloseMosaic;
            if (cfg.CloseMosaic > 0 && epoch == cfg.Epochs - cfg.CloseMosaic && state.StepInEpoch == 0) log.WriteLine("Closing dataloader mosaic");
            model.train();
            var shard = new GlobalBatchShardSampler(epochOrder, batch, comm.Rank, world, state.StepInEpoch * batch);
            var loader = new BatchLoader(trainData, loaderOptions, shard);
            var trace = SampleTrace.Open(comm.Rank, epoch, shard);
            log.WriteLine($"\n{"Epoch",11}{"box_loss",11}{"cls_loss",11}{"dfl_loss",11}{"Instances",11}{"Size",11}");
            var bar = new ProgressBar(nb, log);
            using (var batches = loader.Epoch(epoch, mosaic).GetEnumerator())
            {
                for (int s = 0; s < shard.GlobalSteps; s++)
                {
                    int step = state.StepInEpoch;
                    long ni = step + (long)nb * epoch;
                    if (ni <= warmupIterations)
                    {
                        state.Accumulate = LearningRateSchedule.WarmupAccumulation(ni, warmupIterations, nominal, batch);
                        schedule.ApplyWarmup(optimizer, ni, warmupIterations, epoch);
                    }
                    var normalization = new LossNormalization(shard.GlobalStepSize(s), world, SumAcrossRanks);
                    Array.Clear(stepValues);
                    int instances = 0, traced = 0;
                    if (batches.MoveNext())
                    {
                        var b = batches.Current;
                        instances = b.TargetCount;
                        traced = b.Size;
                        if (epoch == 0 && step < 3 && cfg.Plots && comm.IsMain) RunPlots.WriteTrainBatch(run.Path, b, names, step, log);
                        int height = b.Height, width = b.Width;
                        using var scope = NewDisposeScope();
                        var images = BatchTensors.Images(b, device);
                        using var targets = BatchTensors.Targets(b, device);
                        b.Dispose();
                        var raw = model.forward(images);
                        var (total, items) = loss.Compute(raw, targets, height, width, normalization);
                        total.backward();
                        (stepValues[0], stepValues[1], stepValues[2]) = (items.Box, items.Cls, items.Dfl);
                    }
                    else
                    {
                        // This rank has no images in the epoch's last, short global batch: it still joins every collective.
                        normalization.SumAcrossRanks(0);
                    }
                    if (StopAtIteration is { } limit && ni + 1 >= limit) stop.Request($"FORGE_STOP_AT_STEP={limit}");
                    stepValues[3] = stop.Requested ? 1 : 0;
                    comm.AllReduceSum(stepValues);
                    if (!double.IsFinite(stepValues[0] + stepValues[1] + stepValues[2]))
                        throw new InvalidOperationException($"epoch {epoch + 1}, step {step}: the loss is not finite (box {stepValues[0]}, cls {stepValues[1]}, dfl {stepValues[2]}); lower lr0 or check the labels");

                    bool stepped = false;
                    if (ni - state.LastOptimizerStep >= state.Accumulate)
                    {
                        reducer.ReduceAndAverage();
                        GradientClipping.ClipByTotalNorm(model.parameters(), cfg.MaxNorm);
                        optimizer.Step();
                        optimizer.ZeroGrad();
                        ema.Update();
                        state.LastOptimizerStep = ni;
                        stepped = true;
                    }
                    state.StepInEpoch = step + 1;
                    trace?.Record(s, traced);
                    for (int k = 0; k < 3; k++) state.EpochLossSum[k] += stepValues[k];
                    state.EpochSteps++;
                    double m = 1.0 / state.EpochSteps;
                    bar.Update(state.StepInEpoch, string.Create(CultureInfo.InvariantCulture,
                        $"{$"{epoch + 1}/{cfg.Epochs}",11}{state.EpochLossSum[0] * m,11:0.0000}{state.EpochLossSum[1] * m,11:0.0000}{state.EpochLossSum[2] * m,11:0.0000}{instances,11}{cfg.ImgSize,11}"));

                    bool stopNow = stepValues[3] > 0;
                    bool periodic = stepped && cfg.SavePeriodSteps > 0 && optimizer.StepCount % cfg.SavePeriodSteps == 0 && state.StepInEpoch < nb;
                    if (cfg.Save && (stopNow || periodic))
                        Save(state, nb, model, ema, optimizer, reducer, cfg, names, lastVal?.Metrics, fingerprint, store, best: false, snapshotEpoch: null);
                    if (stopNow)
                    {
                        if (!stop.Requested) stop.Request("another rank");
                        interrupted = true;
                        break;
                    }
                }
            }
            trace?.Dispose();
            if (interrupted) break;

            // Epoch end: learning rate for the next epoch, validate the EMA, record, save.
            var lrs = optimizer.Groups.Select(g => g.Lr).ToArray();
            schedule.ApplyEpoch(optimizer, epoch + 1);
            var mean = state.EpochLossSum.Select(v => v / Math.Max(1, state.EpochSteps)).ToArray();
            bool finalEpoch = epoch + 1 == cfg.Epochs;
            if (validator is not null && (cfg.Val || finalEpoch))
            {
                lastVal = validator.Run(ema.Model, loss, comm.IsMain ? log : null, $"{"",11}{"Validating",-44}");
                Validator.PrintTable(log, lastVal.Metrics, names, perClass: false);
            }
            double fitness = lastVal?.Fitness ?? -mean.Sum();   // without validation, lower training loss is better
            stoppedEarly = stopper.Step(epoch, fitness);
            var metrics = lastVal?.Metrics;
            // Memory stays flat: release managed garbage and the native handles finalizers hold, once an epoch; then record the
            // epoch (its memory figure is what the process keeps between epochs), before the save that makes it durable.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            if (comm.IsMain)
                results.Append(new Dictionary<string, double>
                {
                    ["epoch"] = epoch + 1, ["train/box_loss"] = mean[0], ["train/cls_loss"] = mean[1], ["train/dfl_loss"] = mean[2],
                    ["metrics/precision(B)"] = metrics?.Precision ?? double.NaN, ["metrics/recall(B)"] = metrics?.Recall ?? double.NaN,
                    ["metrics/mAP50(B)"] = metrics?.Map50 ?? double.NaN, ["metrics/mAP50-95(B)"] = metrics?.Map50To95 ?? double.NaN,
                    ["val/box_loss"] = lastVal?.Loss.Box ?? double.NaN, ["val/cls_loss"] = lastVal?.Loss.Cls ?? double.NaN,
                    ["val/dfl_loss"] = lastVal?.Loss.Dfl ?? double.NaN, ["lr/pg0"] = lrs[0], ["lr/pg1"] = lrs[1], ["lr/pg2"] = lrs[2],
                    ["time/epoch_s"] = epochClock.Elapsed.TotalSeconds, ["mem/rss_mb"] = ProcessMemory.ResidentMegabytes(),
                });
            state.Epoch = epoch + 1;
            state.StepInEpoch = 0;
            state.EpochLossSum = new double[3];
            state.EpochSteps = 0;
            state.BestFitness = stopper.BestFitness;
            state.BestEpoch = stopper.BestEpoch;
            state.Finished = stoppedEarly || state.Epoch >= cfg.Epochs;
            if (cfg.Save)
            {
                int? snapshot = cfg.SavePeriod > 0 && (epoch + 1) % cfg.SavePeriod == 0 ? epoch + 1 : null;
                Save(state, nb, model, ema, optimizer, reducer, cfg, names, metrics, fingerprint, store, stopper.IsBest(epoch), snapshot);
            }
            if (stoppedEarly)
            {
                log.WriteLine($"Stopping training early as no improvement observed in the last {cfg.Patience} epochs. Best results observed at epoch {stopper.BestEpoch + 1}.");
                break;
            }
            // A signal during validation or saving: every rank must agree before leaving the loop.
            Span<double> stopFlag = [stop.Requested ? 1 : 0];
            comm.AllReduceSum(stopFlag);
            if (stopFlag[0] > 0)
            {
                if (!stop.Requested) stop.Request("another rank");
                interrupted = true;
                break;
            }
        }
        store.Flush();
        comm.Barrier();

        if (interrupted)
        {
            if (cfg.Save)
            {
                log.WriteLine($"\nStopped by {stop.Reason} at epoch {state.Epoch + 1}, step {state.StepInEpoch}/{nb}; state saved to {store.Last}.");
                log.WriteLine($"Resume with: ./forge train resume={run.Path}");
            }
            else log.WriteLine($"\nStopped by {stop.Reason} at epoch {state.Epoch + 1}, step {state.StepInEpoch}/{nb}; nothing saved (save=false).");
            return new TrainResult(run.Path, store.Last, store.Best, lastVal, state.Epoch, false, wall.Elapsed, Interrupted: true);
        }

        log.WriteLine($"\n{state.Epoch} epochs completed in {wall.Elapsed.TotalHours:0.000} hours.");
        ValidationResult? final = null;
        if (cfg.Save)
        {
            log.WriteLine($"Saved {store.Last}");
            log.WriteLine($"Saved {store.Best}");
        }
        if (validator is not null && cfg.Save && File.Exists(store.Best))
        {
            log.WriteLine($"\nValidating {store.Best}...");
            var (best, _) = ModelFactory.FromCheckpoint(store.Best);
            using (best)
            {
                best.to(device);
                final = validator.Run(best, null, comm.IsMain ? log : null, $"{"",11}{"Validating",-44}");
            }
            Validator.PrintTable(log, final.Metrics, names, perClass: cfg.Verbose);
            log.WriteLine($"Speed: {final.PreprocessMsPerImage:0.0}ms preprocess, {final.InferenceMsPerImage:0.0}ms inference, {final.PostprocessMsPerImage:0.0}ms postprocess per image");
            if (cfg.Plots && comm.IsMain) RunPlots.WriteValidationPlots(run.Path, final.Metrics, final.Confusion, names, log);
        }
        if (cfg.Plots && comm.IsMain) RunPlots.WriteResultsPlot(run.Path, log);
        log.WriteLine($"Results saved to {run.Path}");
        return new TrainResult(run.Path, store.Last, store.Best, final ?? lastVal, state.Epoch, stoppedEarly, wall.Elapsed);
    }

    /// <summary>
    /// Test hook: FORGE_STOP_AT_STEP=N behaves as if SIGTERM arrived during global iteration N-1 (finish it, save, exit), so
    /// interrupt-and-resume tests stop at a chosen point instead of racing a timer.
    /// </summary>
    static long? StopAtIteration =>
        long.TryParse(Environment.GetEnvironmentVariable("FORGE_STOP_AT_STEP"), out var n) && n > 0 ? n : null;

    double SumAcrossRanks(double local)
    {
        if (comm.WorldSize == 1) return local;
        Span<double> v = [local];
        comm.AllReduceSum(v);
        return v[0];
    }

    /// <summary>
    /// Saves on rank 0 after every rank got here (a save can never be skipped because one rank is ahead). Gradients accumulated
    /// since the last optimizer step are averaged across ranks first and stored, so a resumed run, on any number of ranks,
    /// continues the accumulation exactly.
    /// </summary>
    void Save(TrainingState state, int stepsPerEpoch, YoloDetector model, ModelEma ema, Optimizer optimizer, GradientBucketReducer reducer,
              ForgeConfig cfg, string[] names, Core.Metrics.DetectionMetrics? metrics, DataFingerprint fingerprint, CheckpointStore store,
              bool best, int? snapshotEpoch)
    {
        long lastIteration = (long)stepsPerEpoch * state.Epoch + state.StepInEpoch - 1;
        bool pending = state.LastOptimizerStep < lastIteration;
        if (pending && comm.WorldSize > 1) reducer.ReduceAndAverage();
        comm.Barrier();
        if (comm.IsMain)
        {
            state.SavedByRank = comm.Rank;
            var snapshot = TrainingCheckpoint.Snapshot(model, ema, optimizer, state, cfg, names, metrics, fingerprint, pending);
            store.Save(snapshot, best, snapshotEpoch);
        }
    }

    static void CheckResumable(TrainingState state, DataFingerprint? saved, ForgeConfig cfg, DataFingerprint current, string source, TextWriter log)
    {
        if (state.GlobalBatch != cfg.Batch)
            throw new InvalidDataException($"{source}: the run used a global batch of {state.GlobalBatch}; resume with batch={state.GlobalBatch}");
        if (saved is null || saved.Train == current.Train) return;
        string what = $"the training data changed since the checkpoint ({saved.TrainImages} images then, {current.TrainImages} now; fingerprint {saved.Train[..12]} vs {current.Train[..12]})";
        if (!cfg.ResumeForce) throw new ConfigException($"{source}: {what}; resuming would not continue the same run (add resume_force=true to override)");
        log.WriteLine($"WARNING: resume_force=true: {what}");
    }

    /// <summary>Rank 0's string, on every rank.</summary>
    string BroadcastString(string? value)
    {
        if (comm.WorldSize == 1) return value!;
        var all = comm.AllGatherBytes(comm.IsMain ? System.Text.Encoding.UTF8.GetBytes(value!) : []);
        return System.Text.Encoding.UTF8.GetString(all[0]);
    }

    DatasetIndex BuildIndex(IReadOnlyList<string> sources, int nc, string split, ForgeConfig cfg, TextWriter log, Func<string, string?> cocoImages)
    {
        var issues = new DataIssueLog(log);
        var index = DatasetIndex.Build(sources, nc, issues, split, threads: 0, cacheImageSize: cfg.Cache ? cfg.ImgSize : 0, cocoImages: cocoImages);
        log.WriteLine(issues.Summary().StartsWith(split, StringComparison.Ordinal) ? issues.Summary() : $"{split}: {issues.Summary()}");
        if (index.Count == 0) throw new InvalidDataException($"{split}: no usable images in {string.Join(", ", sources)}");
        return index;
    }

    static YoloDetector BuildModel(ForgeConfig cfg, int nc, bool resuming, TextWriter log, Func<ModelScale, int, YoloDetector> create)
    {
        if (!ModelFactory.IsWeightsFile(cfg.Model)) return ModelFactory.Create(cfg.Model, nc, create);
        // Starting from a file: architecture from the file, classes from the dataset; weights matched by name and shape
        // (fine-tuning). A resumed run loads every tensor from its checkpoint afterwards instead.
        using var ckpt = Checkpoint.Load(cfg.Model);
        var arch = ckpt.Get("architecture") ?? throw new InvalidDataException($"{cfg.Model}: no architecture in the metadata");
        var (s, _) = ModelFactory.ParseArchitecture(arch, cfg.Model);
        var model = create(s, nc);
        if (!resuming)
        {
            var report = ModelFactory.LoadMatching(model, ckpt.Section(Checkpoint.ModelPrefix));
            log.WriteLine($"Transferred weights from {cfg.Model}: {report.Describe()}");
        }
        return model;
    }

    static Optimizer BuildOptimizer(ForgeConfig cfg, YoloDetector model, int nc, int trainImages, double weightDecay, TextWriter log, out double warmupBiasLr)
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
}
