using Forge.Core.Detection;

namespace Forge.Training.Prediction;

/// <summary>Detections for one image, in original image pixels.</summary>
public sealed record ImagePrediction(string Path, int Width, int Height, IReadOnlyList<Detection> Detections, string? AnnotatedPath);
