namespace Forge.Training;

/// <summary>
/// Where a training run stands, beyond tensors: everything the loop needs to continue exactly where it stopped.
/// Saved as JSON in every checkpoint's metadata.
/// </summary>
public sealed class TrainingState
{
    /// <summary>Epoch in progress (0-based). After a completed epoch e this is e + 1 with <see cref="StepInEpoch"/> 0.</summary>
    public int Epoch { get; set; }
    /// <summary>Global batches of <see cref="Epoch"/> already trained on.</summary>
    public int StepInEpoch { get; set; }
    /// <summary>Global batch size the steps were counted with (resuming needs the same).</summary>
    public int GlobalBatch { get; set; }
    /// <summary>Iteration index (ni) of the last optimizer step; -1 before the first.</summary>
    public long LastOptimizerStep { get; set; } = -1;
    /// <summary>Current gradient-accumulation count (ramps during warm-up).</summary>
    public int Accumulate { get; set; } = 1;
    public long OptimizerSteps { get; set; }
    public long EmaUpdates { get; set; }
    public string OptimizerKind { get; set; } = "";
    public List<ParamGroupState> Groups { get; set; } = new();
    public double BestFitness { get; set; } = double.NegativeInfinity;
    public int BestEpoch { get; set; } = -1;
    /// <summary>Sum of (box, cls, dfl) over the epoch's steps so far, and how many steps: the running mean shown and logged.</summary>
    public double[] EpochLossSum { get; set; } = new double[3];
    public int EpochSteps { get; set; }
    /// <summary>Ranks of the run that wrote this state (informative: resuming on another count is supported).</summary>
    public int WorldSize { get; set; } = 1;
    /// <summary>Global rank of the process that wrote the checkpoint (always 0: a record that saving is not gated on a local rank).</summary>
    public int SavedByRank { get; set; }
    /// <summary>True once every epoch has run (or early stopping ended the run).</summary>
    public bool Finished { get; set; }

    public sealed record ParamGroupState(string Name, double Lr, double InitialLr, double Momentum, double WeightDecay);

    public string ToJson() => System.Text.Json.JsonSerializer.Serialize(this, JsonOptions);

    public static TrainingState FromJson(string json, string source) =>
        System.Text.Json.JsonSerializer.Deserialize<TrainingState>(json, JsonOptions)
        ?? throw new InvalidDataException($"{source}: empty training state");

    // Infinity (best fitness before the first validation) is not valid JSON without this.
    static readonly System.Text.Json.JsonSerializerOptions JsonOptions = new()
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
