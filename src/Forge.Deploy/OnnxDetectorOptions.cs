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
    /// <summary>ONNX Runtime intra-op threads (0: ONNX Runtime's default, one per physical core, pinned to cores). On a 2-core
    /// VM the default ran YOLOv8n at 640 in 41-44 ms per image against 27 ms with Threads = 2 (bench/README.md, twelfth
    /// session); forge val and predict always give a count (the threads setting, else the cores shared by the ranks).</summary>
    public int Threads { get; init; }
    /// <summary>For a model exported with a dynamic batch: the most input pixels (images x height x width) one session run
    /// takes; a longer batch runs in groups of at least one image. Null: <see cref="CpuRunPixels"/> on the CPU, the whole batch
    /// at once on CUDA; 0: the whole batch at once. A fixed-batch model always runs in groups of its own batch.</summary>
    public long? MaxRunPixels { get; init; }

    /// <summary>The CPU default of <see cref="MaxRunPixels"/>: one 640 x 640 image, four at 320. On a 2-core VM, forge val of
    /// YOLOv8n on COCO128 ran 1.2-1.4x faster per image than with whole batches of 16 at 640 or 32 at 320, with
    /// 0.35-0.7 GB less peak memory (groups of 1 to 8 images at 320 all alike; bench/README.md, twelfth session).</summary>
    public const long CpuRunPixels = 640 * 640;

    /// <summary>Execution provider: "cpu", or "cuda" / "cuda:N" (needs the Microsoft.ML.OnnxRuntime.Gpu package instead of
    /// Microsoft.ML.OnnxRuntime, and CUDA on the machine).</summary>
    public string Device { get; init; } = "cpu";
}
