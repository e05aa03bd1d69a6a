namespace Forge.Data.Inference;

/// <summary>How many images of a batch one forward (or session run) takes under a budget of input pixels: the TorchSharp
/// validator (<c>Validator.CpuForwardPixels</c>) and the ONNX Runtime detector (<c>OnnxDetectorOptions.MaxRunPixels</c>) both
/// split large CPU batches this way.</summary>
public static class PixelBudget
{
    /// <param name="maxPixels">Most images x height x width per run; 0 or less: no budget (the whole batch).</param>
    /// <returns>Between 1 and <paramref name="batch"/> (one image even when it alone is over the budget).</returns>
    public static int ImagesPerRun(long maxPixels, int batch, int height, int width) =>
        maxPixels <= 0 ? batch : (int)Math.Clamp(maxPixels / ((long)height * width), 1, Math.Max(1, batch));
}
