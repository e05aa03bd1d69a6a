using Forge.Core.Config;
using Forge.Models;
using Forge.Models.Loss;
using Forge.Reporting;
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
    readonly LearningRateSchedule schedule;
    readonly ModelEma ema;
    readonly Validator? validator;
    readonly ResultsTable results;
    readonly CheckpointStore store;
    readonly EarlyStopping stopper;
    readonly NominalBatch nominal;
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
        bool amp = TensorLibrary.Configure(cfg, device, log);
        log.WriteLine($"Forge {ForgeInfo.Version}  device={cfg.Device}  {ddp.Describe()}  threads/rank={get_num_threads()}  " +
                      $"{TensorLibrary.Describe(amp, device)}  run={plan.Run.Path}");
        // Every machine reads the dataset from its own disk; one that cannot, or sees other data than rank 0, stops the job at start.
        var data = ddp.OpenOnEveryRank($"the dataset (data={cfg.Data})",
            () => new TrainingData(plan.Data ?? DatasetResolver.Load(cfg.Data), cfg, ddp, log), d => d.Fingerprint.Describe());
        return new TrainingSession(plan, options, ddp, log, device, data);
    }

    TrainingSession(RunPlan plan, TrainerOptions options, DataParallel ddp, TextWriter log, Device device, TrainingData data)
    {
        (cfg, this.options, this.ddp, this.log, this.device, this.data, Run) = (plan.Config, options, ddp, log, device, data, plan.Run);
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
            validator = data.CreateValidator(device, model.Strides.Max());
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

    /// <summary>On the run's device and dtype; with channels_last=true the convolution weights in NHWC strides (weights
    /// loaded later are copied into them, which keeps the layout; checkpoints save the standard layout).</summary>
    YoloDetector ToRunTensors(YoloDetector m)
    {
        m.to(device);
        if (options.Dtype != ScalarType.Float32) m.to(options.Dtype);
        if (cfg.ChannelsLast) Forge.Torch.ChannelsLast.Convert(m);
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

    /// <summary>freeze=N: the parameters of layers model.0 ... model.N-1 get no gradients (Ultralytics' trainer; fine-tuning).</summary>
    /// <exception cref="ConfigException">N covers every layer: nothing would train.</exception>
    void Freeze(YoloDetector m)
    {
        if (cfg.Freeze is not ({ } n and > 0)) return;
        var prefixes = Enumerable.Range(0, n).Select(i => $"model.{i}.").ToArray();
        int frozen = 0, total = 0;
        foreach (var (name, p) in m.named_parameters())
        {
            if (!p.requires_grad) continue;
            total++;
            if (!prefixes.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal))) continue;
            p.requires_grad_(false);
            frozen++;
        }
        if (frozen == total) throw new ConfigException($"freeze={n} freezes every layer of {cfg.Model}; nothing would train");
        log.WriteLine($"freeze={n}: {frozen} of {total} parameter tensors frozen (model.0 to model.{n - 1})");
    }

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
            log.WriteLine($"optimizer=auto: chose {name}(lr={lr}, momentum={momentum}) for {iterations} iterations");
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
            CheckResumable(state, savedData, source);
        }
        if (ddp.IsMain) results.LoadExisting(state.Epoch + 1);   // rank 0's file: only rank 0 writes the run folder
        log.WriteLine($"Resuming {Run.Path} from {source}: epoch {state.Epoch + 1}/{cfg.Epochs}, step {state.StepInEpoch}/{data.StepsPerEpoch}" +
                      (state.WorldSize != ddp.WorldSize ? $" (saved by {state.WorldSize} ranks, continuing on {ddp.WorldSize})" : ""));
        state.WorldSize = ddp.WorldSize;
        return state;
    }

    void CheckResumable(TrainingState state, DataFingerprint? saved, string source)
    {
        if (state.GlobalBatch != cfg.Batch)
            throw new InvalidDataException($"{source}: the run used a global batch of {state.GlobalBatch}; resume with batch={state.GlobalBatch}");
        var current = data.Fingerprint;
        if (saved is null || saved.Train == current.Train) return;
        string what = $"the training data changed since the checkpoint ({saved.TrainImages} images then, {current.TrainImages} now; fingerprint {saved.Train[..12]} vs {current.Train[..12]})";
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
        if (State.Finished) log.WriteLine($"{Run.Path} already finished its {cfg.Epochs} epochs; nothing to resume.");
        else log.WriteLine($"Starting training for {cfg.Epochs} epochs...");
    }

    TrainingParts Parts => new(model, ema, optimizer);

    RunDescription Description => new(cfg, data.Names, data.Fingerprint);

    public void Dispose()
    {
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
}
