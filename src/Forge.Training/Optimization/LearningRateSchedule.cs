namespace Forge.Training.Optimization;

/// <summary>
/// Ultralytics' schedule: a per-epoch factor (linear from 1 to lrf, or cosine) on each group's initial LR, and during the
/// first warm-up iterations a linear ramp of LR (bias group from warmup_bias_lr down, others from 0 up) and of momentum
/// (from warmup_momentum up), together with a ramp of the gradient-accumulation count towards the nominal batch.
/// </summary>
public sealed class LearningRateSchedule(int epochs, double lrf, bool cosine, double warmupBiasLr, double warmupMomentum, double momentum)
{
    /// <summary>The same schedule planned for <paramref name="newEpochs"/> epochs (time= re-plans the run's length).</summary>
    public LearningRateSchedule Replanned(int newEpochs) => new(newEpochs, lrf, cosine, warmupBiasLr, warmupMomentum, momentum);

    /// <summary>Multiplier of the initial LR at (fractional) epoch <paramref name="epoch"/>.</summary>
    public double Factor(double epoch) => cosine
        ? (1 - Math.Cos(epoch * Math.PI / epochs)) / 2 * (lrf - 1) + 1
        : Math.Max(1 - epoch / epochs, 0) * (1 - lrf) + lrf;

    /// <summary>Sets every group's LR and momentum for epoch start (after warm-up, LR only changes per epoch).</summary>
    public void ApplyEpoch(Optimizer optimizer, int epoch)
    {
        double f = Factor(epoch);
        foreach (var g in optimizer.Groups) g.Lr = g.InitialLr * f;
    }

    /// <summary>Warm-up at iteration <paramref name="iteration"/> of <paramref name="warmupIterations"/>: the bias group's LR falls from warmup_bias_lr, the others rise from 0; momentum ramps for SGD only.</summary>
    public void ApplyWarmup(Optimizer optimizer, long iteration, long warmupIterations, int epoch)
    {
        double f = Factor(epoch);
        foreach (var g in optimizer.Groups)
        {
            g.Lr = Interpolate(iteration, warmupIterations, g.Name == ParamGroup.Bias ? warmupBiasLr : 0.0, g.InitialLr * f);
            // Only SGD has a momentum to ramp: Ultralytics' Adam groups carry betas, which warm-up leaves unchanged.
            if (optimizer is Sgd) g.Momentum = Interpolate(iteration, warmupIterations, warmupMomentum, momentum);
        }
    }

    /// <summary>Accumulation count during warm-up: ramps from 1 to nominal/batch (rounded like numpy, half to even).</summary>
    public static int WarmupAccumulation(long iteration, long warmupIterations, int nominalBatch, int batch) =>
        Math.Max(1, (int)Math.Round(Interpolate(iteration, warmupIterations, 1, nominalBatch / (double)batch), MidpointRounding.ToEven));

    static double Interpolate(long x, long x1, double y0, double y1) =>
        x >= x1 ? y1 : x <= 0 ? y0 : y0 + (y1 - y0) * x / x1;
}
