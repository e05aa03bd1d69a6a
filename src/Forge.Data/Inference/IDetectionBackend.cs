namespace Forge.Data.Inference;

/// <summary>
/// Something that runs a detector on letterboxed image batches: the TorchSharp model or an ONNX Runtime session. Both are
/// fed and read in the same tensor-free layout, so pre-processing (<see cref="Loading.InferenceInput"/>, the validation
/// loader), NMS and mapping back to the image (<see cref="DetectionPostprocess"/>) are shared.
/// </summary>
public interface IDetectionBackend
{
    int NumClasses { get; }

    /// <summary>The model's largest stride (pixels): rectangular inputs are padded to a multiple of it.</summary>
    int Stride { get; }

    /// <summary>The one input size (height, width in pixels) the model takes, or null when it takes any multiple of
    /// <see cref="Stride"/> (the TorchSharp model, an ONNX file exported with dynamic=true). A fixed-size model gets square
    /// letterboxes of that size: no rectangular validation batches, no minimal-padding predict letterbox.</summary>
    (int Height, int Width)? FixedInputSize { get; }

    /// <summary>Runs the detector on <paramref name="batch"/> images.</summary>
    /// <param name="images">batch x 3 x height x width floats at its start: RGB planes in [0, 1] (<see cref="Loading.Collate.ToChwUnit"/>,
    /// or <see cref="Loading.Collate.ToChw"/> then <see cref="Loading.Collate.ToUnit(System.ReadOnlySpan{byte}, System.Span{float})"/>);
    /// a reused buffer may be longer, and the floats after them are not read. The caller may refill the array once the call returns.</param>
    /// <param name="anchors">Number of anchors (columns) per image in the result.</param>
    /// <returns>Ultralytics' decoded output, batch x (4 + NumClasses) x anchors: rows centre x, centre y, width, height in
    /// input pixels, then class scores after the sigmoid.</returns>
    /// <exception cref="ArgumentException">A fixed-size model is given another size, or <paramref name="images"/> is shorter than the batch.</exception>
    float[] Forward(float[] images, int batch, int height, int width, out int anchors);

    /// <summary>
    /// As <see cref="Forward(float[], int, int, int, out int)"/>, writing the decoded output to the start of
    /// <paramref name="output"/> when it is long enough, else replacing it with a new array of exactly the result's size; returns
    /// how many floats were written (batch x (4 + NumClasses) x anchors). For a caller that reads each result before its next
    /// call (validation, a predict run): a fresh 45 MB array per validation batch at 640 cost its page faults on every batch
    /// (bench/README.md, eleventh and twelfth sessions). This default implementation allocates as the other overload does.
    /// </summary>
    int Forward(float[] images, int batch, int height, int width, ref float[]? output, out int anchors)
    {
        output = Forward(images, batch, height, width, out anchors);
        return output.Length;
    }

    /// <summary>
    /// Prepares for many <see cref="Forward"/> calls with the weights unchanged until the returned handle is disposed (a predict
    /// run over a folder or a video): the TorchSharp backend folds its BatchNorms into the convolutions once rather than at
    /// every call. Null where there is nothing to prepare (ONNX Runtime).
    /// </summary>
    /// <exception cref="InvalidOperationException">A run is already open on this backend.</exception>
    IDisposable? BeginRun() => null;
}
