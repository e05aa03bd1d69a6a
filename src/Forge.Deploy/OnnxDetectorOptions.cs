namespace Forge.Deploy;

/// <summary>How an <see cref="OnnxDetector"/> runs: thresholds with Ultralytics' predict defaults, threads and the execution provider.</summary>
public sealed record OnnxDetectorOptions
{
    /// <summary>A class score must be above this to make a detection (Ultralytics' conf; 0.25 for predict, 0.001 for val).</summary>
    public float Conf { get; init; } = 0.25f;
    /// <summary>NMS IoU threshold (same class).</summary>
    public float Iou { get; init; } = 0.7f;
    public int MaxDet { get; init; } = 300;
    /// <summary>Several classes per box when their scores pass <see cref="Conf"/> (validation uses this).</summary>
    public bool MultiLabel { get; init; }
    /// <summary>Square input size for a model with dynamic height and width (default: the size in its metadata, else 640).
    /// A fixed-size model always runs at its own size.</summary>
    public int? ImageSize { get; init; }
    /// <summary>ONNX Runtime intra-op threads (0: ONNX Runtime's default, one per physical core).</summary>
    public int Threads { get; init; }
    /// <summary>Execution provider: "cpu", or "cuda" / "cuda:N" (needs the Microsoft.ML.OnnxRuntime.Gpu package instead of
    /// Microsoft.ML.OnnxRuntime, and CUDA on the machine).</summary>
    public string Device { get; init; } = "cpu";
}
