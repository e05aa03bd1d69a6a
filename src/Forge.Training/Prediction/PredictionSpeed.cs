namespace Forge.Training.Prediction;

/// <summary>
/// Where one prediction's time went, milliseconds, as Ultralytics' <c>Results.speed</c> splits it: preprocess (letterbox and
/// the float CHW pixels), inference (the backend's forward, with copying the input in and the decoded output back), postprocess
/// (NMS and mapping boxes back to the image). Reading the image and writing outputs are in none of them.
/// </summary>
/// <param name="InputHeight">Height of the letterboxed input the model ran on, pixels.</param>
/// <param name="InputWidth">Width of that input, pixels.</param>
public sealed record PredictionSpeed(double PreprocessMs, double InferenceMs, double PostprocessMs, int InputHeight, int InputWidth)
{
    /// <summary>
    /// The mean of each part over <paramref name="speeds"/>, with the last one's input size (Ultralytics' closing line of a
    /// predict run reports the shape of its last batch). Null when there are none.
    /// </summary>
    public static PredictionSpeed? Mean(IReadOnlyList<PredictionSpeed> speeds)
    {
        if (speeds.Count == 0) return null;
        var last = speeds[^1];
        return new PredictionSpeed(speeds.Average(s => s.PreprocessMs), speeds.Average(s => s.InferenceMs),
                                   speeds.Average(s => s.PostprocessMs), last.InputHeight, last.InputWidth);
    }

    /// <summary>Ultralytics' summary line: "Speed: 1.2ms preprocess, 45.6ms inference, 0.7ms postprocess per image at shape (1, 3, 384, 640)".</summary>
    public string SummaryLine() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"Speed: {PreprocessMs:0.0}ms preprocess, {InferenceMs:0.0}ms inference, {PostprocessMs:0.0}ms postprocess per image at shape (1, 3, {InputHeight}, {InputWidth})");
}
