using Forge.Core.Metrics;
using Forge.Models.Loss;

namespace Forge.Training.Validation;

/// <summary>Metrics of one validation pass, the mean validation loss and timing per image.</summary>
public sealed record ValidationResult(
    DetectionMetrics Metrics,
    ConfusionMatrix Confusion,
    LossItems Loss,
    double PreprocessMsPerImage,
    double InferenceMsPerImage,
    double PostprocessMsPerImage)
{
    public double Fitness => Metrics.Fitness;
}
