using Forge.Core.Detection;

namespace Forge.Training.Prediction;

/// <summary>
/// Detections for one image or video frame, in original image pixels. <see cref="Frame"/> is the 1-based frame number
/// for a video (null for an image); <see cref="AnnotatedPath"/> the annotated image or video written for it, if any;
/// <see cref="Speed"/> the time its pre-processing, inference and post-processing took.
/// </summary>
public sealed record ImagePrediction(string Path, int Width, int Height, IReadOnlyList<Detection> Detections, string? AnnotatedPath, int? Frame = null,
                                     PredictionSpeed? Speed = null);
