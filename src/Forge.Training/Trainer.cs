using System.Diagnostics;
using Forge.Core.Config;
using Forge.Distributed;
using Forge.Training.Resume;

namespace Forge.Training;

/// <summary>
/// The training loop: Ultralytics' recipe (nominal-batch gradient accumulation, warm-up, linear/cosine LR, EMA, mosaic
/// closed for the last epochs, fitness = 0.1 mAP50 + 0.9 mAP50-95, early stop) on TorchSharp, on one process or many.
/// <para>Read <see cref="Train"/> first: it is the whole loop at one level of detail. What the run is (settings, run folder,
/// checkpoint to resume) is decided once by <see cref="RunPlan"/>; the live parts and the phases of the loop belong to
/// <see cref="TrainingSession"/>; everything data-parallel (one GPU per rank, SyncBatchNorm, broadcast and verify, gradient
/// all-reduce, agreement on stopping) is behind <see cref="DataParallel"/>, so N ranks run this same code and compute the update
/// one process would on the whole global batch.</para>
/// <para>Checkpoints hold the complete state (<see cref="Checkpoints.TrainingCheckpoint"/>); resume= continues exactly where
/// the last save stopped, on any number of ranks. Logging, plots and every file write happen on global rank 0 only.</para>
/// </summary>
public sealed class Trainer
{
    readonly ForgeConfig requested;
    readonly TrainerOptions options;

    public Trainer(ForgeConfig config, TrainerOptions? options = null)
    {
        requested = config.Clone();
        this.options = options ?? new TrainerOptions();
    }

    /// <summary>A trainer logging to <paramref name="log"/> as one rank of <paramref name="communicator"/> (default: a single process).</summary>
    public Trainer(ForgeConfig config, TextWriter log, ICommunicator? communicator = null, StopSignal? stopSignal = null)
        : this(config, new TrainerOptions { Log = log, Communicator = communicator ?? new SingleProcessCommunicator(), Stop = stopSignal ?? new(install: false) })
    {
    }

    public TrainResult Train()
    {
        var clock = Stopwatch.StartNew();
        using var ddp = new DataParallel(options.Communicator, options.CudaGradients);
        var log = ddp.IsMain ? options.Log : TextWriter.Null;
        using var plan = RunPlan.Resolve(requested, ddp, log);              // settings, data, run folder, checkpoint to resume
        using var run = Open(plan, ddp, log);                               // model, EMA, optimizer, loss, loaders, store, state
        if (!run.EpochsRemain) return run.NothingToResume(clock.Elapsed);   // a finished run: nothing written, nothing changed
        plan.WriteArgs(ddp);                                                // args.yaml: the settings this run trains with
        var outcome = EpochOutcome.Continue;
        while (outcome == EpochOutcome.Continue && run.EpochsRemain)
        {
            using (var epoch = run.BeginEpoch())                            // resumes inside the epoch where the state stands
            {
                foreach (var step in epoch.Steps())                         // one global batch; this rank's share of it
                {
                    run.Warmup(step);                                       // LR, momentum and accumulation ramps
                    var mine = run.ForwardBackward(step);                   // gradients accumulate in .grad
                    if (StopHookFires(step)) options.Stop.Request($"stop_at_iteration={options.StopAtIteration}");
                    var losses = ddp.AgreeOnStep(mine, options.Stop, run.TimeUp);  // one all-reduce: losses, stop requests, time=
                    run.RequireFinite(step, losses);
                    bool stepped = run.OptimizerStepIfDue(step);            // average over ranks, clip, step, zero, EMA
                    epoch.Record(step, losses);                             // position, running means, progress line
                    if (losses.Stop || run.PeriodicSaveDue(stepped)) run.Save();
                    if (losses.Stop)
                    {
                        outcome = EpochOutcome.Interrupted;
                        break;
                    }
                    if (losses.TimeUp && run.EndAtTimeLimit()) break;       // time= reached: this epoch is the last
                }
            }
            if (outcome == EpochOutcome.Continue) outcome = run.EndEpoch();  // validate EMA, results row, early stop, save
        }
        run.FinishSaving();
        return outcome == EpochOutcome.Interrupted
            ? run.Interrupted(clock.Elapsed)
            : run.FinalValidation(clock.Elapsed, stoppedEarly: outcome == EpochOutcome.StoppedEarly);
    }

    /// <summary>Opens the session; a failure before any training removes the new run folder again (no empty name/ left behind).</summary>
    TrainingSession Open(RunPlan plan, DataParallel ddp, TextWriter log)
    {
        try
        {
            return TrainingSession.Open(plan, options, ddp, log);
        }
        catch
        {
            plan.DiscardNewRun(ddp);
            throw;
        }
    }

    bool StopHookFires(TrainStep step) => options.StopAtIteration is { } limit && step.Iteration + 1 >= limit;
}
