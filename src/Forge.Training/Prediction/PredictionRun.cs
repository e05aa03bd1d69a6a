namespace Forge.Training.Prediction;

/// <summary>What a predict run did: one prediction per image or video frame, how many image and video files the source had, and how many of them could not be read.</summary>
public sealed record PredictionRun(List<ImagePrediction> Predictions, int ImageFiles, int VideoFiles, int Unreadable)
{
    public int Frames => Predictions.Count(p => p.Frame is not null);
    public int Images => Predictions.Count(p => p.Frame is null);
    public int Detections => Predictions.Sum(p => p.Detections.Count);
    /// <summary>Each part's mean time per image or frame (Ultralytics' "Speed:" line); null when nothing was predicted.</summary>
    public PredictionSpeed? Speed => PredictionSpeed.Mean(Predictions.Where(p => p.Speed is not null).Select(p => p.Speed!).ToList());
}
