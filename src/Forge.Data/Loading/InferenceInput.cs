using Forge.Data.Augmentation;
using OpenCvSharp;

namespace Forge.Data.Loading;

/// <summary>
/// Prediction preprocessing as Ultralytics' predictor does it (engine/predictor.py pre_transform + preprocess): letterbox
/// with scaleup and <c>auto</c> (padding only to a multiple of the stride: the minimal rectangle), BGR to RGB, CHW floats
/// in [0, 1]. Tensor-free, so the TorchSharp and ONNX paths share it. Boxes map back with <see cref="Info"/>.
/// </summary>
public sealed record InferenceInput(float[] Chw, int Height, int Width, ImageInfo Info)
{
    /// <param name="image">An 8-bit BGR image (not modified).</param>
    /// <param name="auto">True: minimal padding to a stride multiple (Ultralytics' default for PyTorch models); false: imgsz square.</param>
    public static InferenceInput Prepare(Mat image, string path, int imgsz, int stride = 32, bool auto = true) =>
        Prepare(image, path, imgsz, imgsz, stride, auto);

    /// <summary>Letterboxed into height x width pixels (a fixed-size ONNX model's input with <paramref name="auto"/> false).</summary>
    public static InferenceInput Prepare(Mat image, string path, int height, int width, int stride, bool auto)
    {
        Imaging.OpenCvRuntime.Ensure();
        using var boxed = Letterbox.Apply(image, width, height, scaleUp: true, out var lb, auto, stride);
        var bytes = new byte[3 * boxed.Width * boxed.Height];
        Collate.ToChw(boxed, bytes, 0);
        var chw = new float[bytes.Length];
        Collate.ToUnit(bytes, chw);
        var info = new ImageInfo(path, image.Width, image.Height, (float)lb.Ratio, lb.PadLeft, lb.PadTop);
        return new InferenceInput(chw, boxed.Height, boxed.Width, info);
    }
}
