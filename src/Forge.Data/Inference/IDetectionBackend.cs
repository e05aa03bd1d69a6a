namespace Forge.Data.Inference;

/// <summary>
/// Something that runs a detector on letterboxed image batches: the TorchSharp model or an ONNX Runtime session. Both are
/// fed and read in the same tensor-free layout, so pre-processing, NMS and mapping back to the image are shared.
/// </summary>
public interface IDetectionBackend
{
    int NumClasses { get; }

    /// <summary>Runs the detector on <paramref name="batch"/> images.</summary>
    /// <param name="images">batch x 3 x height x width floats: RGB planes in [0, 1] (<see cref="DetectionPreprocess"/>).</param>
    /// <param name="anchors">Number of anchors (columns) per image in the result.</param>
    /// <returns>Ultralytics' decoded output, batch x (4 + NumClasses) x anchors: rows centre x, centre y, width, height in
    /// input pixels, then class scores after the sigmoid.</returns>
    float[] Forward(float[] images, int batch, int height, int width, out int anchors);
}
