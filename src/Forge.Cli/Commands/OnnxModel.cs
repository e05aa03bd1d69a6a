using Forge.Core.Config;
using Forge.Core.Detection;
using Forge.Deploy;

namespace Forge.Cli.Commands;

/// <summary>model=path.onnx for val and predict: the file opened with ONNX Runtime, with the command's settings.</summary>
public static class OnnxModel
{
    public static bool Is(string model) => model.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase);

    /// <exception cref="ConfigException">half=true: an ONNX model runs as exported (float32) in ONNX Runtime.</exception>
    public static void RefuseHalf(ForgeConfig cfg)
    {
        if (cfg.Half)
            throw new ConfigException($"half=true: {Path.GetFileName(cfg.Model)} runs in ONNX Runtime as exported (float32); half applies to " +
                                      "TorchSharp weights (.safetensors, .pt). Leave half out");
    }

    /// <param name="nms">The command's NMS (<see cref="ForgeConfig.PredictionNms"/> or <see cref="ForgeConfig.ValidationNms"/>):
    /// its confidence threshold and multi-label choice go to the session's decoder.</param>
    /// <param name="processesOnThisMachine">Ranks sharing this machine's cores (val nproc=N): without threads= each session
    /// takes its share of the cores. The count is always given to ONNX Runtime, as to libtorch
    /// (<see cref="Forge.Training.DeviceSelector.IntraOpThreads"/>): its own default (one thread per physical core, pinned to
    /// cores) ran YOLOv8n 1.2-1.6x slower than two unpinned threads on a 2-core VM (bench/README.md, twelfth session).</param>
    /// <exception cref="ConfigException">A setting breaks its rules, or imgsz= differs from the size a fixed-size model was exported at.</exception>
    public static OnnxDetector Open(ForgeConfig cfg, NmsOptions nms, int processesOnThisMachine = 1)
    {
        cfg.Validate();
        var detector = new OnnxDetector(cfg.Model, new OnnxDetectorOptions
        {
            Conf = nms.ConfThreshold,
            Iou = nms.IouThreshold,
            MaxDet = nms.MaxDetections,
            MultiLabel = nms.MultiLabel,
            Threads = Forge.Training.DeviceSelector.IntraOpThreads(cfg.Threads, processesOnThisMachine),
            Device = cfg.Device,
            ImageSize = cfg.IsSet("imgsz") ? cfg.ImgSize : null,
        });
        if (cfg.IsSet("imgsz") && !detector.Info.DynamicSize && (detector.InputHeight != cfg.ImgSize || detector.InputWidth != cfg.ImgSize))
        {
            detector.Dispose();
            throw new ConfigException($"imgsz={cfg.ImgSize}: {cfg.Model} was exported for {detector.InputHeight}x{detector.InputWidth} images; " +
                                      "leave imgsz out, or export again with that imgsz or dynamic=true");
        }
        if (detector.InputHeight != detector.InputWidth)
        {
            detector.Dispose();
            throw new ConfigException($"{cfg.Model} takes {detector.InputHeight}x{detector.InputWidth} images; val and predict run square images (imgsz=N)");
        }
        return detector;
    }

    /// <summary>One line about the model for the log.</summary>
    public static string Describe(OnnxDetector d, string path) =>
        $"{Path.GetFileName(path)}: ONNX Runtime, {d.NumClasses} classes, input {(d.Info.Batch?.ToString() ?? "batch")}x3x" +
        $"{(d.Info.DynamicSize ? $"{d.InputHeight}x{d.InputWidth} (dynamic)" : $"{d.InputHeight}x{d.InputWidth}")}, " +
        (d.Threads > 0 ? $"{d.Threads} intra-op thread{(d.Threads == 1 ? "" : "s")}" : "ONNX Runtime's default intra-op threads");
}
