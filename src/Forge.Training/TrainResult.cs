using Forge.Training.Validation;

namespace Forge.Training;

/// <summary>What a training run produced.</summary>
public sealed record TrainResult(
    string RunDirectory,
    string LastCheckpoint,
    string BestCheckpoint,
    ValidationResult? FinalValidation,
    int EpochsCompleted,
    bool StoppedEarly,
    TimeSpan Elapsed,
    bool Interrupted = false);
