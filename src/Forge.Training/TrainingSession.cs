using System.Diagnostics;
using Forge.Core.Config;
using Forge.Models;
using Forge.Models.Loss;
using Forge.Reporting;
using Forge.Reporting.TensorBoard;
using Forge.Training.Checkpoints;
using Forge.Training.Optimization;
using Forge.Training.Reporting;
using Forge.Training.Resume;
using Forge.Training.Supervision;
using Forge.Training.Validation;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Training;

/// <summary>How an epoch ended for the loop.</summary>
public enum EpochOutcome { Continue, StoppedEarly, Interrupted }

/// <summary>
/// One training run's live parts, built from a <see cref="RunPlan"/> in the order Ultralytics' BaseTrainer builds them:
/// data, model (on its device and dtype, SyncBatchNorm converted), loss, optimizer with its parameter groups, LR schedule,
/// EMA, gradient reducer, validator, results table and checkpoint store; then the loop state, fresh or restored from the
/// plan's checkpoint, with every rank verified identical. The phases the <see cref="Trainer"/> calls are in
/// TrainingSession.Phases.cs.
/// </summary>
public sealed partial class TrainingSession : IDisposable
{
    readonly ForgeConfig cfg;
    readonly TrainerOptions options;
    readonly DataParallel ddp;
    readonly TextWriter log;
    readonly Device device;
    readonly TrainingData data;
    readonly YoloDetector model;
    readonly DetectionLoss loss;
    readonly Optimizer optimizer;
    LearningRateSchedule schedule;   // re-planned when time= changes the number of epochs
    readonly ModelEma ema;
    readonly Validator? validator;
    readonly ResultsTable results;
    TensorBoardWriter? tensorboard;   // opened with the first epoch row (rank 0, tensorboard=true)
    readonly CheckpointStore store;
    readonly EarlyStopping stopper;
    readonly NominalBatch nominal;
    /// <summary>amp=bf16: the training forward runs in a bfloat16 autocast region.</summary>
    readonly bool autocastBFloat16;
    /// <summary>Rank 0 under a self-healing launcher: where the run, optimizer steps and saves are announced.</summary>
    readonly TextWriter? supervisor;

    public RunFolder Run { get; }
    public TrainingState State { get; }
    /// <summary>False once every epoch has run or early stopping ended the run.</summary>
    public bool EpochsRemain => !State.Finished && State.Epoch < cfg.Epochs;

    /// <summary>Seeds and configures the tensor library, reports the run, indexes the data and builds the session.</summary>
    public static TrainingSession Open(RunPlan plan, TrainerOptions options, DataParallel ddp, TextWriter log)
    {
        var cfg = plan.Config;
        var device = ddp.SelectDevice(cfg.Device, cfg.Threads);
        bool amp = TensorLibrary.Configure(cfg, device, log, options.Dtype);   // from the setting alone: the same on every rank
        log.WriteLine($"Forge {ForgeInfo.Version}  device={cfg.Device}  {ddp.Describe()}  threads/rank={get_num_threads()}  " +
                      $"{TensorLibrary.Describe(cfg.Amp, amp, device, Forge.Torch.Autocast.CpuHasNativeBFloat16)}  run={plan.Run.Path}");
        if (cfg.AutoBatch) ResolveAutoBatch(plan, options, ddp, device, log);
        // Every machine reads the dataset from its own disk; one that cannot, or sees other data than rank 0, stops the job at start.
        var data = ddp.OpenOnEveryRank($"the dataset (data={cfg.Data})",
            () => new TrainingData(plan.Data ?? DatasetResolver.Load(cfg.Data), cfg, ddp, log), d => d.Fingerprint.Describe());
        return new TrainingSession(plan, options, ddp, log, device, data, amp);
    }

    /// <summary>batch=-1 or a fraction: measures this model's training step and sets batch= to the chosen number (args.yaml records it).</summary>
    /// <exception cref="ConfigException">Several ranks: auto batch measures one process's device.</exception>
    static void ResolveAutoBatch(RunPlan plan, TrainerOptions options, DataParallel ddp, Device device, TextWriter log)
    {
        var cfg = plan.Config;
        if (ddp.WorldSize > 1)
            throw new ConfigException($"batch={ForgeConfig.FormatValue(cfg.BatchSetting)} (auto batch) measures one process; with {ddp.WorldSize} ranks give batch=N (the global batch)");
        int nc = DatasetSelection.Names((plan.Data ?? DatasetResolver.Load(cfg.Data)).Names, cfg).Length;
        YoloDetector Probe()
        {
            if (!ModelFactory.IsWeightsFile(cfg.Model)) return ModelFactory.Create(cfg.Model, nc, options.ModelFactory);
            using var ckpt = Checkpoint.Load(cfg.Model);
            var arch = ckpt.Get("architecture") ?? throw new InvalidDataException($"{cfg.Model}: no architecture in the metadata");
            return options.ModelFactory(ModelFactory.ParseArchitecture(arch, cfg.Model).Scale, nc);
        }
        int batch = AutoBatch.Choose(Probe, device, cfg.ImgSize, cfg.AutoBatchFraction, log);
        cfg.Set("batch", batch.ToString(System.Globalization.CultureInfo.InvariantCulture), "auto batch");
    }

    TrainingSession(RunPlan plan, TrainerOptions options, DataParallel ddp, TextWriter log, Device device, TrainingData data, bool autocastBFloat16)
    {
        (cfg, this.options, this.ddp, this.log, this.device, this.data, Run) = (plan.Config, options, ddp, log, device, data, plan.Run);
        this.autocastBFloat16 = autocastBFloat16;
        supervisor = ddp.IsMain ? options.Supervisor : null;
        try
        {
            model = BuildModel(plan.Resuming);
            // Before anything holds the model's parameters: the conversion replaces the BatchNorm tensors.
            ddp.SynchronizeBatchNorm(model, cfg.SyncBn, log);
            nominal = new NominalBatch(cfg, data.StepsPerEpoch);
            loss = new DetectionLoss(model, new LossGains(cfg.BoxGain, cfg.ClsGain, cfg.DflGain));
            optimizer = BuildOptimizer(out double warmupBiasLr);
            schedule = new LearningRateSchedule(cfg.Epochs, cfg.Lrf, cfg.CosLr, warmupBiasLr, cfg.WarmupMomentum, optimizer.Group(ParamGroup.Weight).Momentum);
            ema = new ModelEma(model, () => NewModel(model.Scale));
            ddp.AttachGradientReducer(model, cfg.BucketMb, device, log);
            data.PlanBatches(model.MaxStride, log);   // rect=true: the training batches' rectangles
            validator = data.CreateValidator(device, model.MaxStride);
            results = new ResultsTable(Run.ResultsCsv);
            if (cfg.Plots && ddp.IsMain) RunPlots.WriteLabels(Run.Path, data.Train.Items.SelectMany(i => i.Labels), data.Names, log);
            store = new CheckpointStore(Run, cfg.Keep, background: true);
            State = StartState(plan);
            ddp.StartIdentical(model, ema, plan.Resuming);
            stopper = new EarlyStopping(cfg.Patience) { BestFitness = State.BestFitness, BestEpoch = State.BestEpoch };
        }
        catch
        {
            Dispose();
            throw;
        }
        LogStart();
        supervisor?.WriteLine(SupervisorProtocol.RunLine(Run.Path, optimizer.StepCount));
    }

    /// <summary>A detector of this run's classes, on the training device, in the training dtype.</summary>
    YoloDetector NewModel(ModelScale scale) => ToRunTensors(options.ModelFactory(scale, data.Names.Length));

    /// <summary>
    /// On the run's device and dtype, NCHW whatever channels_last says (it applies to validation and predict): on CPU,
    /// training steps in channels_last moved away from Ultralytics' from the first step on (the same initial tensors and
    /// full batch: 58,000 of 3.0 million AdamW update signs flipped against 1 for NCHW, the class loss 0.1-0.2 higher over
    /// the next 20 steps; bench/README.md, "channels_last training against NCHW").
    /// </summary>
    YoloDetector ToRunTensors(YoloDetector m)
    {
        m.to(device);
        if (options.Dtype != ScalarType.Float32) m.to(options.Dtype);
        m.RecomputeNormalization(cfg.Recompute);
        return m;
    }

    /// <summary>
    /// The detector the run starts from (<see cref="ModelFactory.ForTraining"/>: a name or yaml from scratch, or a weights file's
    /// architecture with this dataset's classes and its tensors matched by name and shape; a resumed run loads its own checkpoint
    /// afterwards), on the run's device and dtype, frozen layers applied, in train mode.
    /// </summary>
    YoloDetector BuildModel(bool resuming)
    {
        var m = ToRunTensors(ModelFactory.ForTraining(cfg.Model, data.Names.Length, resuming, log, options.ModelFactory));
        Freeze(m);
        m.train();
        return m;
    }

    /// <summary>
    /// freeze=N (layers model.0 ... model.N-1) or freeze=[i,j,...] (those layers): their parameters get no gradients, as in
    /// Ultralytics' trainer, which also always freezes the DFL integral's fixed weights ('.dfl', whatever freeze= says).
    /// </summary>
    /// <exception cref="ConfigException">freeze= covers every layer (nothing would train) or names a layer the model lacks.</exception>
    void Freeze(YoloDetector m)
    {
        var layers = cfg.FreezeLayers();
        var prefixes = layers.Select(i => $"model.{i}.").ToArray();
        int frozen = 0, total = 0;
        foreach (var (name, p) in m.named_parameters())
        {
            if (name.Contains(".dfl", StringComparison.Ordinal)) { p.requires_grad_(false); continue; }
            if (!p.requires_grad) continue;
            total++;
            if (!prefixes.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal))) continue;
            p.requires_grad_(false);
            frozen++;
        }
        if (layers.Count == 0) return;
        var names = m.named_parameters().Select(p => p.name).ToList();
        var missing = prefixes.Where(prefix => !names.Any(n => n.StartsWith(prefix, StringComparison.Ordinal))).ToList();
        if (missing.Count > 0 && layers.Count != layers[^1] + 1 || frozen == 0)
            throw new ConfigException($"freeze={cfg.Freeze}: {cfg.Model} has no layer {string.Join(", ", missing.Select(x => x.TrimEnd('.')))} (layers are model.0 ... model.{names.Select(LayerIndex).Max()})");
        if (frozen == total) throw new ConfigException($"freeze={cfg.Freeze} freezes every layer of {cfg.Model}; nothing would train");
        log.WriteLine($"freeze={cfg.Freeze}: {frozen} of {total} parameter tensors frozen ({Describe(layers)})");
    }

    static int LayerIndex(string parameterName) =>
        parameterName.Split('.') is [_, var i, ..] && int.TryParse(i, out int n) ? n : -1;

    static string Describe(IReadOnlyList<int> layers) =>
        layers.Count > 1 && layers.SequenceEqual(Enumerable.Range(0, layers.Count))
            ? $"model.0 to model.{layers.Count - 1}"
            : string.Join(", ", layers.Select(i => $"model.{i}"));

    /// <summary>Ultralytics' three parameter groups (bias, weight with decay, norm) and optimizer; optimizer=auto chooses like Ultralytics.</summary>
    Optimizer BuildOptimizer(out double warmupBiasLr)
    {
        var groups = ParamGroup.SplitForDetection(model.named_parameters().Select(p => (p.name, (Tensor)p.parameter)), nominal.WeightDecay);
        string name = cfg.Optimizer;
        double lr = cfg.Lr0, momentum = cfg.Momentum;
        warmupBiasLr = cfg.WarmupBiasLr;
        if (name.Equals("auto", StringComparison.OrdinalIgnoreCase))
        {
            // AdamW with a class-count-fitted LR for short runs, SGD for long ones.
            long iterations = (long)Math.Ceiling(data.Train.Count / (double)Math.Max(cfg.Batch, cfg.NominalBatch)) * cfg.Epochs;
            if (iterations > 10000) { name = "SGD"; lr = 0.01; momentum = 0.9; }
            else { name = "AdamW"; lr = Math.Round(0.002 * 5 / (4 + data.Names.Length), 6); momentum = 0.9; warmupBiasLr = 0.0; }
            log.WriteLine($"optimizer=auto: chose {name}(lr={lr}, momentum={momentum}) for {DurationText.Count(iterations, "iteration")}");
        }
        foreach (var g in groups) { g.InitialLr = lr; g.Lr = lr; g.Momentum = momentum; }
        return name.Equals("sgd", StringComparison.OrdinalIgnoreCase) ? new Sgd(groups, nesterov: true) : new AdamW(groups);
    }

    /// <summary>The loop state: fresh, or everything the plan's checkpoint holds (weights, EMA, optimizer, gradients, RNG, position).</summary>
    TrainingState StartState(RunPlan plan)
    {
        var state = new TrainingState { GlobalBatch = cfg.Batch, Accumulate = nominal.Accumulate, WorldSize = ddp.WorldSize };
        schedule.ApplyEpoch(optimizer, 0);
        if (plan.TakeCheckpoint() is not { } checkpoint) return state;
        string source = plan.ResumePath!;
        using (checkpoint)
        {
            var savedData = checkpoint.GetJson<DataFingerprint>("data_fingerprint");
            state = TrainingCheckpoint.Restore(checkpoint, source, Parts);
            CheckResumable(state, savedData, source, plan.DataMovedFrom);
        }
        if (plan.ExtendedFromEpochs is { } from) log.WriteLine(ResumeResolver.ExtensionLine(from, cfg));
        // resume=RUN epochs=N on a run that finished its epochs: it trains on, with the schedule planned for N (RunPlan said so).
        if (state.Finished && plan.ExtendedFromEpochs is not null && state.Epoch < cfg.Epochs) state.Finished = false;
        if (state.Finished) return state;   // nothing to resume: NothingToResume reports it, nothing is loaded or written
        if (ddp.IsMain) results.LoadExisting(state.Epoch + 1);   // rank 0's file: only rank 0 writes the run folder
        log.WriteLine($"Resuming {Run.Path} from {source}: epoch {state.Epoch + 1}/{cfg.Epochs}, step {state.StepInEpoch}/{data.StepsPerEpoch}" +
                      (state.WorldSize != ddp.WorldSize ? $" (saved by {state.WorldSize} ranks, continuing on {ddp.WorldSize})" : ""));
        state.WorldSize = ddp.WorldSize;
        return state;
    }

    void CheckResumable(TrainingState state, DataFingerprint? saved, string source, string? movedFrom)
    {
        if (state.GlobalBatch != cfg.Batch)
            throw new InvalidDataException($"{source}: the run used a global batch of {state.GlobalBatch}; resume with batch={state.GlobalBatch}");
        var current = data.Fingerprint;
        if (saved is null || saved.Train == current.Train)
        {
            if (movedFrom is not null)
                log.WriteLine($"data={cfg.Data}: the same images and labels as the run's data={movedFrom} (fingerprint {current.Train[..12]}); continuing with it.");
            return;
        }
        string what = (movedFrom is null ? "" : $"data={cfg.Data} is not the run's dataset (data={movedFrom}): ") + $"the training data changed since the checkpoint ({saved.TrainImages} images then, {current.TrainImages} now; fingerprint {saved.Train[..12]} vs {current.Train[..12]})";
        if (!cfg.ResumeForce) throw new ConfigException($"{source}: {what}; resuming would not continue the same run (add resume_force=true to override)");
        log.WriteLine($"WARNING: resume_force=true: {what}");
    }

    void LogStart()
    {
        var (weights, bias, norm) = (optimizer.Group(ParamGroup.Weight), optimizer.Group(ParamGroup.Bias), optimizer.Group(ParamGroup.Norm));
        log.WriteLine($"{optimizer.Kind}(lr={weights.InitialLr:0.######}, momentum={weights.Momentum}) with parameter groups " +
                      $"{norm.Parameters.Count} weight(decay=0.0), {weights.Parameters.Count} weight(decay={nominal.WeightDecay:0.######}), {bias.Parameters.Count} bias(decay=0.0)");
        log.WriteLine($"Image sizes {cfg.ImgSize} train, {cfg.ImgSize} val; {cfg.Workers} dataloader workers per rank; global batch {cfg.Batch} = " +
                      $"{ddp.WorldSize} x {data.RankBatch}, accumulated to a nominal batch of {cfg.NominalBatch} ({nominal.Accumulate} steps)");
        WarnIfOptimizerNeverSteps();
        if (!State.Finished) log.WriteLine($"Starting training for {DurationText.Count(cfg.Epochs, "epoch")}{(cfg.Time is { } h ? $" (time={h} hours: re-planned from the measured epoch time)" : "")}...");
    }

    /// <summary>
    /// Warns before training when gradient accumulation never reaches an optimizer step in the whole run (few images, a batch far
    /// below nbs, little or no warm-up): the weights would not change at all.
    /// </summary>
    void WarnIfOptimizerNeverSteps()
    {
        long total = (long)data.StepsPerEpoch * cfg.Epochs;
        if (State.Finished || nominal.FirstOptimizerStep(total, cfg) is not null) return;
        log.WriteLine($"WARNING: the optimizer will never step: {DurationText.Count(total, "iteration")} ({DurationText.Count(cfg.Epochs, "epoch")} x {data.StepsPerEpoch} " +
                      $"batches of {cfg.Batch}) but gradients are accumulated over {nominal.Accumulate} batches to reach nbs={cfg.NominalBatch}" +
                      (nominal.WarmupIterations < 0 ? "" : $" after {nominal.WarmupIterations} warm-up iterations") +
                      $". The weights would not change: lower nbs (nbs={cfg.Batch} steps after every batch), train more epochs, or set warmup_epochs>0.");
    }

    TrainingParts Parts => new(model, ema, optimizer);

    RunDescription Description => new(cfg, data.Names, data.Fingerprint);

    public void Dispose()
    {
        tensorboard?.Dispose();
        store?.Dispose();
        ema?.Dispose();
        optimizer?.Dispose();
        model?.Dispose();
    }
}

/// <summary>
/// Ultralytics' nominal batch: gradients of nbs/batch steps are accumulated before each optimizer step, weight decay is
/// scaled by batch*accumulate/nbs, and warm-up lasts warmup_epochs (at least 100 iterations; -1 = none).
/// </summary>
public sealed class NominalBatch
{
    public int Accumulate { get; }
    public double WeightDecay { get; }
    public long WarmupIterations { get; }

    public NominalBatch(ForgeConfig cfg, int stepsPerEpoch)
    {
        Accumulate = Math.Max((int)Math.Round(cfg.NominalBatch / (double)cfg.Batch, MidpointRounding.ToEven), 1);
        WeightDecay = cfg.WeightDecay * cfg.Batch * Accumulate / cfg.NominalBatch;
        WarmupIterations = cfg.WarmupEpochs > 0 ? Math.Max((long)Math.Round(cfg.WarmupEpochs * stepsPerEpoch), 100) : -1;
    }

    /// <summary>
    /// The first iteration (0-based) at which the optimizer steps in a run of <paramref name="totalIterations"/>, following the
    /// warm-up ramp of the accumulation count, or null when it never does.
    /// </summary>
    public long? FirstOptimizerStep(long totalIterations, ForgeConfig cfg)
    {
        for (long i = 0; i < totalIterations; i++)
        {
            int accumulate = i <= WarmupIterations ? LearningRateSchedule.WarmupAccumulation(i, WarmupIterations, cfg.NominalBatch, cfg.Batch) : Accumulate;
            if (i + 1 >= accumulate) return i;   // the state's last step starts at -1
        }
        return null;
    }
}
