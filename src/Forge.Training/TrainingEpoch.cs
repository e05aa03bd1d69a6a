using System.Globalization;
using Forge.Data.Loading;
using Forge.Reporting;

namespace Forge.Training;

/// <summary>One step of the loop: global step <see cref="Step"/> of <see cref="Epoch"/> (iteration <see cref="Iteration"/> of the run).</summary>
/// <param name="Batch">This rank's share of the global batch; null when the epoch's last, short global batch has none for it.</param>
/// <param name="GlobalImages">Images in the global batch over all ranks (the loss normaliser).</param>
public sealed record TrainStep(int Epoch, int Step, long Iteration, int GlobalImages, Batch? Batch)
{
    /// <summary>Labelled boxes in this rank's batch (for the progress line).</summary>
    public int Instances { get; } = Batch?.TargetCount ?? 0;
    public int Images { get; } = Batch?.Size ?? 0;
    /// <summary>The batch's width in pixels (imgsz, or its rectangle's with rect=true); 0 without a batch.</summary>
    public int Width { get; } = Batch?.Width ?? 0;
}

/// <summary>
/// The steps of one epoch, from where the run stands (<see cref="TrainingState.StepInEpoch"/>: a resumed epoch continues),
/// and what is recorded after each: the loop position, running mean losses, the progress line and the sample trace.
/// </summary>
public sealed class TrainingEpoch : IDisposable
{
    readonly TrainingState state;
    readonly GlobalBatchShardSampler shard;
    readonly IEnumerator<Batch> batches;
    readonly SampleTrace? trace;
    readonly ProgressBar bar;
    readonly int stepsPerEpoch, epochs, imgsz;
    readonly int firstStep;
    readonly System.Diagnostics.Stopwatch loaderWait = new();

    public int Epoch { get; }
    /// <summary>Time the loop spent waiting for the loader's next batch this epoch (the loader's share of the step), seconds.</summary>
    public double LoaderWaitSeconds => loaderWait.Elapsed.TotalSeconds;

    public TrainingEpoch(TrainingState state, TrainingData data, bool mosaic, int epochs, int imgsz, string? tracePrefix, int rank, TextWriter log)
    {
        (this.state, this.epochs, this.imgsz) = (state, epochs, imgsz);
        Epoch = state.Epoch;
        firstStep = state.StepInEpoch;
        stepsPerEpoch = data.StepsPerEpoch;
        var (shard, loader) = data.Epoch(firstStep);
        this.shard = shard;
        batches = loader.Epoch(Epoch, mosaic).GetEnumerator();
        trace = SampleTrace.Open(tracePrefix, rank, Epoch, shard);
        log.WriteLine($"\n{"Epoch",11}{"box_loss",11}{"cls_loss",11}{"dfl_loss",11}{"Instances",11}{"Size",11}");
        bar = new ProgressBar(stepsPerEpoch, log);
    }

    /// <summary>The remaining global steps of the epoch; every rank gets every step, with or without images of its own.</summary>
    public IEnumerable<TrainStep> Steps()
    {
        for (int s = 0; s < shard.GlobalSteps; s++)
        {
            int step = firstStep + s;
            loaderWait.Start();
            var batch = batches.MoveNext() ? batches.Current : null;
            loaderWait.Stop();
            yield return new TrainStep(Epoch, step, (long)stepsPerEpoch * Epoch + step, shard.GlobalStepSize(s), batch);
        }
    }

    /// <summary>After a step: the loop position, the epoch's loss sums (the running means shown), trace and progress line.</summary>
    public void Record(TrainStep step, StepLosses losses)
    {
        state.StepInEpoch = step.Step + 1;
        trace?.Record(step.Step - firstStep, step.Images);
        state.EpochLossSum[0] += losses.Box;
        state.EpochLossSum[1] += losses.Cls;
        state.EpochLossSum[2] += losses.Dfl;
        state.EpochSteps++;
        double m = 1.0 / state.EpochSteps;
        bar.Update(state.StepInEpoch, string.Create(CultureInfo.InvariantCulture,
            $"{$"{Epoch + 1}/{epochs}",11}{state.EpochLossSum[0] * m,11:0.0000}{state.EpochLossSum[1] * m,11:0.0000}{state.EpochLossSum[2] * m,11:0.0000}{step.Instances,11}{(step.Width > 0 ? step.Width : imgsz),11}"));
    }

    public void Dispose()
    {
        batches.Dispose();
        trace?.Dispose();
    }
}
