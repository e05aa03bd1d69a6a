namespace Forge.Training;

/// <summary>Stops training when fitness has not improved for <c>patience</c> epochs (0 disables).</summary>
public sealed class EarlyStopping(int patience)
{
    public double BestFitness { get; set; } = double.NegativeInfinity;
    public int BestEpoch { get; set; } = -1;
    public int Patience { get; } = patience;

    /// <summary>Records an epoch's fitness; returns true when training should stop.</summary>
    public bool Step(int epoch, double fitness)
    {
        // As Ultralytics: while the best is still exactly 0 (nothing detected yet) every epoch counts as the best,
        // so early zero-mAP epochs do not use up the patience.
        if (fitness > BestFitness || BestEpoch < 0 || BestFitness == 0)
        {
            BestFitness = fitness;
            BestEpoch = epoch;
        }
        return Patience > 0 && epoch - BestEpoch >= Patience;
    }

    public bool IsBest(int epoch) => BestEpoch == epoch;
}
