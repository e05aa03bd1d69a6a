using System.Diagnostics;
using Forge.Models.Loss;
using Forge.Reporting;
using Forge.Reporting.TensorBoard;
using Forge.Torch;
using Forge.Training.Checkpoints;
using Forge.Training.Optimization;
using Forge.Training.Supervision;
using Forge.Training.Validation;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Training;

// The phases of the training loop, in the order the Trainer calls them: epoch, step (warm-up, forward/backward, optimizer
// step), save, end of epoch, and the end of the run (final validation, or the report of an interrupted one).
public sealed partial class TrainingSession
{
    readonly Stopwatch epochClock = new();
    readonly Stopwatch trainClock = Stopwatch.StartNew();   // this job's training time, for time=
    int epochsThisJob;
    ValidationResult? lastValidation;
    TrainingEpoch? currentEpoch;

    /// <summary>time= (hours) is used up by this job's training.</summary>
    public bool TimeUp => cfg.Time is { } hours && trainClock.Elapsed.TotalHours > hours;

    /// <summary>
    /// time= ran out inside an epoch: that epoch becomes the last one (as Ultralytics: the rest of its batches are skipped, then
    /// it is validated and saved and the run ends normally). Returns true, to leave the epoch.
    /// </summary>
    public bool EndAtTimeLimit()
    {
        log.WriteLine($"\ntime={cfg.Time} hours reached after {DurationText.Format(trainClock.Elapsed)}: ending the run with epoch {State.Epoch + 1}.");
        cfg.Set("epochs", (State.Epoch + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), "time=");
        return true;
    }

    /// <summary>
    /// time=: after each epoch the number of epochs is re-planned from the mean epoch time so far (Ultralytics:
    /// ceil(time * 3600 / mean epoch seconds)), and the LR schedule with it.
    /// </summary>
    void ReplanForTimeLimit()
    {
        epochsThisJob++;
        if (cfg.Time is not { } hours) return;
        double meanSeconds = trainClock.Elapsed.TotalSeconds / epochsThisJob;
        int epochs = Math.Max(State.Epoch + 1, (int)Math.Ceiling(hours * 3600 / meanSeconds));
        if (TimeUp) epochs = State.Epoch + 1;
        if (epochs == cfg.Epochs) return;
        log.WriteLine($"time={hours} hours: {DurationText.Format(TimeSpan.FromSeconds(meanSeconds))} per epoch, re-planned to {DurationText.Count(epochs, "epoch")}.");
        cfg.Set("epochs", epochs.ToString(System.Globalization.CultureInfo.InvariantCulture), "time=");
        schedule = schedule.Replanned(epochs);
    }

    /// <summary>Opens the epoch the state is in, at the step it stands at. Mosaic is closed for the last close_mosaic epochs
    /// (and never open with rect=true).</summary>
    public TrainingEpoch BeginEpoch()
    {
        int epoch = State.Epoch;
        epochClock.Restart();
        bool mosaic = data.MosaicEnabled && epoch < cfg.Epochs - cfg.CloseMosaic;
        if (data.MosaicEnabled && cfg.CloseMosaic > 0 && epoch == cfg.Epochs - cfg.CloseMosaic && State.StepInEpoch == 0) log.WriteLine("Closing dataloader mosaic");
        model.train();
        return currentEpoch = new TrainingEpoch(State, data, mosaic, cfg.Epochs, cfg.ImgSize, options.SampleTrace, ddp.Rank, log);
    }

    /// <summary>During warm-up: the LR and momentum ramps, and the accumulation count growing towards nbs/batch.</summary>
    public void Warmup(TrainStep step)
    {
        if (step.Iteration > nominal.WarmupIterations) return;
        State.Accumulate = LearningRateSchedule.WarmupAccumulation(step.Iteration, nominal.WarmupIterations, cfg.NominalBatch, cfg.Batch);
        schedule.ApplyWarmup(optimizer, step.Iteration, nominal.WarmupIterations, step.Epoch);
    }

    /// <summary>
    /// Forward and backward over this rank's images; gradients add up in each parameter's .grad until the optimizer step.
    /// Returns this rank's share of the loss terms, or null when the rank has no images in this step (it still joins the
    /// collective that sums the loss normaliser).
    /// </summary>
    public LossItems? ForwardBackward(TrainStep step)
    {
        var normalization = ddp.LossNormalization(step.GlobalImages);
        if (step.Batch is not { } batch)
        {
            normalization.SumAcrossRanks(0);
            return null;
        }
        if (step.Epoch == 0 && step.Step < 3 && cfg.Plots && ddp.IsMain) RunPlots.WriteTrainBatch(Run.Path, batch, data.Names, step.Step, log);
        int height = batch.Height, width = batch.Width;
        using var scope = NewDisposeScope();
        var images = BatchTensors.Images(batch, device, options.Dtype);   // (B, 3, H, W) in [0, 1]
        using var targets = BatchTensors.Targets(batch, device);
        batch.Dispose();   // the pixels are copied: the loader reuses the array
        var raw = Forward(images);
        var (total, items) = loss.Compute(raw, targets, height, width, normalization);
        total.backward();
        return items;
    }

    /// <summary>
    /// The model's raw training output (B, 4*reg_max + nc, anchors), with amp=bf16 computed in bfloat16 autocast. Float32
    /// either way (the head's output convolutions run in float32, <see cref="Forge.Models.Layers.DetectHead"/>), so the loss
    /// (assigner, IoU, DFL) is float32.
    /// </summary>
    Tensor Forward(Tensor images)
    {
        using (autocastBFloat16 ? Autocast.BFloat16() : null)
            return model.forward(images);
    }

    /// <exception cref="InvalidOperationException">The summed loss is NaN or infinite.</exception>
    public void RequireFinite(TrainStep step, StepLosses losses)
    {
        if (!losses.IsFinite)
            throw new InvalidOperationException($"epoch {step.Epoch + 1}, step {step.Step}: the loss is not finite (box {losses.Box}, cls {losses.Cls}, dfl {losses.Dfl}); lower lr0 or check the labels");
    }

    /// <summary>
    /// Once the nominal batch is accumulated: gradients averaged over ranks, clipped to max_norm, the optimizer step, gradients
    /// zeroed, the EMA updated. Returns whether it stepped.
    /// </summary>
    public bool OptimizerStepIfDue(TrainStep step)
    {
        if (step.Iteration - State.LastOptimizerStep < State.Accumulate) return false;
        ddp.AverageGradients();
        GradientClipping.ClipByTotalNorm(model.parameters(), cfg.MaxNorm);
        optimizer.Step();
        optimizer.ZeroGrad();
        ema.Update();
        State.LastOptimizerStep = step.Iteration;
        supervisor?.WriteLine(SupervisorProtocol.StepLine(optimizer.StepCount));
        return true;
    }

    /// <summary>save_period_steps: also save 'last' every N optimizer steps (not on an epoch's last step, which the epoch end saves).</summary>
    public bool PeriodicSaveDue(bool stepped) =>
        stepped && cfg.SavePeriodSteps > 0 && optimizer.StepCount % cfg.SavePeriodSteps == 0 && State.StepInEpoch < data.StepsPerEpoch;

    /// <summary>
    /// Saves 'last' (and 'best', and the epoch snapshot <paramref name="snapshotEpoch"/>) unless save=false. Every rank gets here
    /// (a save is never skipped because one rank is ahead); gradients accumulated since the last optimizer step are averaged
    /// across ranks first and stored, so a resumed run, on any number of ranks, continues the accumulation exactly. Rank 0 writes.
    /// </summary>
    public void Save(bool best = false, int? snapshotEpoch = null)
    {
        if (!cfg.Save) return;
        long lastIteration = (long)data.StepsPerEpoch * State.Epoch + State.StepInEpoch - 1;
        bool pending = State.LastOptimizerStep < lastIteration;
        if (pending) ddp.AverageGradientsForSave();
        ddp.Barrier();
        if (!ddp.IsMain) return;
        State.SavedByRank = ddp.Rank;
        string? saved = supervisor is null ? null : SupervisorProtocol.SavedLine(State.Epoch, State.StepInEpoch, optimizer.StepCount);
        store.Save(TrainingCheckpoint.Snapshot(Parts, State, Description, lastValidation?.Metrics, pending), best, snapshotEpoch,
                   onWritten: saved is null ? null : () => supervisor!.WriteLine(saved));
    }

    /// <summary>
    /// The end of an epoch: next epoch's LR, validation of the EMA (every epoch with val=true, always the last), fitness and
    /// early stopping, the results row, the save, and (every rank agreeing) whether a signal arrived meanwhile.
    /// </summary>
    public EpochOutcome EndEpoch()
    {
        int epoch = State.Epoch;
        var lrs = optimizer.Groups.Select(g => g.Lr).ToArray();   // the epoch's own, before the schedule moves on
        ReplanForTimeLimit();
        schedule.ApplyEpoch(optimizer, epoch + 1);
        var mean = State.EpochLossSum.Select(v => v / Math.Max(1, State.EpochSteps)).ToArray();
        double trainSeconds = epochClock.Elapsed.TotalSeconds;
        bool validates = validator is not null && (cfg.Val || epoch + 1 == cfg.Epochs);
        if (validates)
        {
            // amp=bf16 validates in bfloat16 too, as Ultralytics validates in float16 under AMP; the final validation is float32.
            lastValidation = validator!.Run(ema.Model, loss, ddp.IsMain ? log : null, $"{"",11}{"Validating",-44}", bfloat16: autocastBFloat16);
            Validator.PrintTable(log, lastValidation.Metrics, data.Names, perClass: false);
        }
        double valSeconds = epochClock.Elapsed.TotalSeconds - trainSeconds;
        bool stoppedEarly = stopper.Step(epoch, lastValidation?.Fitness ?? -mean.Sum());   // without validation, lower loss is better
        // Memory stays flat: release managed garbage and the native handles finalizers hold, once an epoch; then record the
        // epoch (its memory figure is what the process keeps between epochs), before the save that makes it durable. malloc's free
        // pages stay: they are the next epoch's steps' (handing them back cost ~0.2 million page faults per epoch and ~5% of an
        // epoch, bench/README.md, tenth session); the training's are handed back once, before the final validation.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        if (ddp.IsMain)
        {
            var row = ResultsRow(epoch, mean, lrs);
            WriteEpochRow(row);
            options.EpochEnded?.Invoke(new EpochReport(epoch + 1, trainSeconds, data.Train.Count, valSeconds, validates ? data.Val?.Count ?? 0 : 0,
                row.Single(c => c.Key == "mem/rss_mb").Value,
                validates ? lastValidation?.Metrics.Map50 : null, validates ? lastValidation?.Metrics.Map50To95 : null,
                currentEpoch?.LoaderWaitSeconds ?? 0, ProcessMemory.Breakdown()));
        }
        AdvanceEpoch(stoppedEarly);
        Save(best: stopper.IsBest(epoch), snapshotEpoch: cfg.SavePeriod > 0 && (epoch + 1) % cfg.SavePeriod == 0 ? epoch + 1 : null);
        if (stoppedEarly)
        {
            log.WriteLine($"Stopping training early as no improvement observed in the last {cfg.Patience} epochs. Best results observed at epoch {stopper.BestEpoch + 1}.");
            return EpochOutcome.StoppedEarly;
        }
        return ddp.AgreeToStop(options.Stop) ? EpochOutcome.Interrupted : EpochOutcome.Continue;
    }

    /// <summary>The epoch's results.csv row, by column name in Ultralytics' column order (lr/pgN follows the group order).</summary>
    List<KeyValuePair<string, double>> ResultsRow(int epoch, double[] trainLoss, double[] lrs)
    {
        var (m, v) = (lastValidation?.Metrics, lastValidation?.Loss);
        var row = new List<KeyValuePair<string, double>>
        {
            new(ResultsTable.EpochColumn, epoch + 1),
            new("train/box_loss", trainLoss[0]), new("train/cls_loss", trainLoss[1]), new("train/dfl_loss", trainLoss[2]),
            new("metrics/precision(B)", m?.Precision ?? double.NaN), new("metrics/recall(B)", m?.Recall ?? double.NaN),
            new("metrics/mAP50(B)", m?.Map50 ?? double.NaN), new("metrics/mAP50-95(B)", m?.Map50To95 ?? double.NaN),
            new("val/box_loss", v?.Box ?? double.NaN), new("val/cls_loss", v?.Cls ?? double.NaN), new("val/dfl_loss", v?.Dfl ?? double.NaN),
        };
        row.AddRange(lrs.Select((lr, i) => new KeyValuePair<string, double>($"lr/pg{i}", lr)));
        row.Add(new("time/epoch_s", epochClock.Elapsed.TotalSeconds));
        row.Add(new("mem/rss_mb", ProcessMemory.ResidentMegabytes()));
        return row;
    }

    /// <summary>The epoch's row in results.csv and, with tensorboard=true, the same scalars (but the epoch) in the TensorBoard event file.</summary>
    void WriteEpochRow(List<KeyValuePair<string, double>> row)
    {
        results.Append(row);
        if (!cfg.TensorBoard) return;
        if (tensorboard is null)
        {
            tensorboard = new TensorBoardWriter(Run.Path);
            log.WriteLine($"TensorBoard: view with 'tensorboard --logdir {Path.GetDirectoryName(Run.Path)}' ({Path.GetFileName(tensorboard.Path)})");
        }
        tensorboard.WriteScalars((long)row[0].Value, row.Skip(1));
    }

    void AdvanceEpoch(bool stoppedEarly)
    {
        State.Epoch++;
        State.StepInEpoch = 0;
        State.EpochLossSum = new double[3];
        State.EpochSteps = 0;
        State.BestFitness = stopper.BestFitness;
        State.BestEpoch = stopper.BestEpoch;
        State.Finished = stoppedEarly || State.Epoch >= cfg.Epochs;
    }

    /// <summary>Waits for checkpoint writes (a failed write fails the run) and for every rank.</summary>
    public void FinishSaving()
    {
        store.Flush();
        ddp.Barrier();
    }

    /// <summary>With several ranks: which machine validated how many images ("rank 1 on node1: 2 images").</summary>
    void LogValidatingRanks(Validator validator)
    {
        if (ddp.WorldSize == 1) return;
        var shares = ddp.Communicator.AllGatherBytes(System.Text.Encoding.UTF8.GetBytes($"{DataParallel.Host} {validator.ShardSize}"))
            .Select(b => System.Text.Encoding.UTF8.GetString(b).Split(' ')).ToArray();
        log.WriteLine($"Validated on {shares.Length} ranks: " + string.Join(", ", shares.Select((s, r) => $"rank {r} on {s[0]}: {s[1]} images")));
    }

    /// <summary>
    /// resume= of a run that already finished its epochs: says so and how to train on, and changes nothing (no weights, no
    /// args.yaml, no plots are written).
    /// </summary>
    public TrainResult NothingToResume(TimeSpan elapsed)
    {
        log.WriteLine($"{Run.Path} already finished its {DurationText.Count(State.Epoch, "epoch")}; nothing to resume. " +
                      $"To train on, extend it: forge train resume={Run.Path} epochs=N (N > {State.Epoch}); nothing was changed.");
        return new TrainResult(Run.Path, store.Last, store.Best, null, State.Epoch, false, elapsed);
    }

    /// <summary>After a signal: where the state was saved and how to resume.</summary>
    public TrainResult Interrupted(TimeSpan elapsed)
    {
        string where = $"epoch {State.Epoch + 1}, step {State.StepInEpoch}/{data.StepsPerEpoch}";
        if (cfg.Save)
        {
            log.WriteLine($"\nStopped by {options.Stop.Reason} at {where}; state saved to {store.Last}.");
            log.WriteLine($"Resume with: ./forge train resume={Run.Path}");
        }
        else log.WriteLine($"\nStopped by {options.Stop.Reason} at {where}; nothing saved (save=false).");
        return new TrainResult(Run.Path, store.Last, store.Best, lastValidation, State.Epoch, false, elapsed, Interrupted: true);
    }

    /// <summary>The end of a run: the best weights validated as saved (per class with verbose=true), plots, the result.</summary>
    public TrainResult FinalValidation(TimeSpan elapsed, bool stoppedEarly)
    {
        log.WriteLine($"\n{DurationText.Count(epochsThisJob, "epoch")} completed in {DurationText.Format(elapsed)}" +
                      (epochsThisJob != State.Epoch ? $" ({State.Epoch} of {cfg.Epochs} in the run)." : "."));
        ValidationResult? final = null;
        ProcessMemory.ReleaseFreeNativeMemory();   // the steps' free pages: the final validation's model and batches start afresh
        if (store.WroteLast) log.WriteLine($"Saved {store.Last}");
        if (store.WroteBest) log.WriteLine($"Saved {store.Best}");
        // Rank 0 reads best.safetensors and sends its bytes: every rank validates the weights as saved, from no other disk.
        if (validator is not null && ddp.FromMain(cfg.Save && File.Exists(store.Best)))
        {
            log.WriteLine($"\nValidating {store.Best}...");
            var bytes = ddp.BroadcastBytes(ddp.IsMain ? File.ReadAllBytes(store.Best) : null);
            using (var checkpoint = Checkpoint.FromBytes(bytes, store.Best))
            using (var best = ModelFactory.FromCheckpoint(checkpoint, store.Best).Model)
            {
                best.to(device);
                final = validator.Run(best, null, ddp.IsMain ? log : null, $"{"",11}{"Validating",-44}");
            }
            LogValidatingRanks(validator);
            Validator.PrintTable(log, final.Metrics, data.Names, perClass: cfg.Verbose);
            log.WriteLine($"Speed: {final.PreprocessMsPerImage:0.0}ms preprocess, {final.InferenceMsPerImage:0.0}ms inference, {final.PostprocessMsPerImage:0.0}ms postprocess per image");
            if (cfg.Plots && ddp.IsMain) RunPlots.WriteValidationPlots(Run.Path, final.Metrics, final.Confusion, data.Names, log);
        }
        if (cfg.Plots && ddp.IsMain) RunPlots.WriteResultsPlot(Run.Path, log);
        log.WriteLine($"Results saved to {Run.Path}");
        return new TrainResult(Run.Path, store.Last, store.Best, final ?? lastValidation, State.Epoch, stoppedEarly, elapsed);
    }
}
