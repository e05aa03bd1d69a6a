using OpenCvSharp;

namespace Forge.Data.Imaging;

/// <summary>
/// Process-wide OpenCV settings, applied once before the data pipeline's first OpenCV call: OpenCV's own thread pool is
/// switched off (cv2.setNumThreads(0), as Ultralytics does), because loader workers already run one sample per thread and
/// the tensor library has its own threads; nested pools would only oversubscribe the cores.
/// </summary>
public static class OpenCvRuntime
{
    static OpenCvRuntime() => Cv2.SetNumThreads(0);

    /// <summary>Applies the settings (once; later calls do nothing).</summary>
    public static void Ensure() { }
}
