using Forge.Data.Augmentation;
using OpenCvSharp;

namespace Forge.Data.Loading;

/// <summary>
/// Prediction preprocessing as Ultralytics' predictor does it (engine/predictor.py pre_transform + preprocess): letterbox
/// with scaleup and <c>auto</c> (padding only to a multiple of the stride: the minimal rectangle), BGR to RGB, CHW floats
/// in [0, 1]. Tensor-free, so the TorchSharp and ONNX paths share it. Boxes map back with <see cref="Info"/>.
/// </summary>
/// <param name="Chw">The RGB planes, 3 x <paramref name="Height"/> x <paramref name="Width"/> floats at its start; longer
/// only when a longer array was passed to <see cref="Prepare(Mat, string, int, int, int, bool, float[])"/> for reuse (the
/// floats past the image are then left as they were).</param>
public sealed record InferenceInput(float[] Chw, int Height, int Width, ImageInfo Info)
{
    /// <summary>How many floats of <see cref="Chw"/> are the image's: 3 x height x width.</summary>
    public int Length => 3 * Height * Width;

    /// <param name="image">An 8-bit BGR image (not modified).</param>
    /// <param name="auto">True: minimal padding to a stride multiple (Ultralytics' default for PyTorch models); false: imgsz square.</param>
    public static InferenceInput Prepare(Mat image, string path, int imgsz, int stride = 32, bool auto = true, float[]? reuse = null) =>
        Prepare(image, path, imgsz, imgsz, stride, auto, reuse);

    /// <summary>Letterboxed into height x width pixels (a fixed-size ONNX model's input with <paramref name="auto"/> false).</summary>
    /// <param name="reuse">An array the caller no longer needs: when it has at least the input's length (3 x height x width
    /// of the letterbox) the pixels are written at its start and it becomes <see cref="Chw"/>; otherwise a new array of
    /// exactly that length is made. A predictor that passes its previous input here allocates no pixel array once it has
    /// met its largest letterbox: a new 3 MB array per image cost ~7 ms of page faults and garbage collections at 640 px on
    /// a 2-core VM, the conversion itself under 1 ms (bench/README.md, eleventh session).</param>
    public static InferenceInput Prepare(Mat image, string path, int height, int width, int stride, bool auto, float[]? reuse = null)
    {
        Imaging.OpenCvRuntime.Ensure();
        using var boxed = Letterbox.Apply(image, width, height, scaleUp: true, out var lb, auto, stride);
        int length = 3 * boxed.Width * boxed.Height;
        var chw = reuse is not null && reuse.Length >= length ? reuse : GC.AllocateUninitializedArray<float>(length);
        Collate.ToChwUnit(boxed, chw);
        var info = new ImageInfo(path, image.Width, image.Height, (float)lb.Ratio, lb.PadLeft, lb.PadTop);
        return new InferenceInput(chw, boxed.Height, boxed.Width, info);
    }
}
