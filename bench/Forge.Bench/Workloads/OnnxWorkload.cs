using Forge.Bench.Harness;
using Forge.Data.Imaging;
using Forge.Data.Inference;
using Forge.Export;
using Forge.Models;
using Forge.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Forge.Bench.Workloads;

/// <summary>
/// Models, exports and inputs of the ONNX benchmarks: the COCO-trained YOLOv8n of the shared fixtures when present (else and
/// for other scales seeded random weights with non-trivial BatchNorm statistics), exports to a temp folder, and real photos
/// (COCO128 val) letterboxed as predict does, or seeded noise when there are none.
/// </summary>
public static class OnnxWorkload
{
    /// <summary>The shared folder: env FORGE_SHARED, else 'shared' beside the repository root, else /work/shared.</summary>
    public static string? SharedFolder()
    {
        var env = Environment.GetEnvironmentVariable("FORGE_SHARED");
        if (!string.IsNullOrEmpty(env)) return Directory.Exists(env) ? env : null;
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Forge.sln"))) dir = dir.Parent;
        if (dir?.Parent is { } parent && Directory.Exists(Path.Combine(parent.FullName, "shared"))) return Path.Combine(parent.FullName, "shared");
        return Directory.Exists("/work/shared") ? "/work/shared" : null;
    }

    public static string? CocoWeights() =>
        SharedFolder() is { } s && File.Exists(Path.Combine(s, "fixtures", "yolov8n-coco.safetensors")) ? Path.Combine(s, "fixtures", "yolov8n-coco.safetensors") : null;

    /// <summary>COCO128 (data.yaml, images/val2017): env FORGE_COCO128, else data/coco128 beside the shared folder.</summary>
    public static string? Coco128()
    {
        var env = Environment.GetEnvironmentVariable("FORGE_COCO128");
        var candidates = new[] { env, SharedFolder() is { } s ? Path.Combine(s, "..", "data", "coco128") : null, "/work/data/coco128" };
        return candidates.Where(c => !string.IsNullOrEmpty(c) && File.Exists(Path.Combine(c!, "data.yaml"))).Select(c => Path.GetFullPath(c!)).FirstOrDefault();
    }

    /// <summary>A model by name (yolov8n, s, yolo11n, ...): with weights=auto the COCO fixture for yolov8n when found, else seeded random weights.</summary>
    public static (YoloDetector Model, string[] Names, string Weights) Load(string name, string weights, int seed)
    {
        if (!ModelScale.TryParseName(name, out var scale)) throw new BenchUsageException($"models: '{name}' is not a model name (yolov8n, s, yolo11n, ...)");
        string? path = weights == "auto" ? (scale == ModelScale.N ? CocoWeights() : null) : weights == "random" ? null : weights;
        if (path is not null)
        {
            var (m, names) = ModelFactory.FromCheckpoint(path);
            if (m.Scale != scale) throw new BenchUsageException($"weights={path} is a {m.Scale.Name}, not {scale.Name}");
            m.eval();
            return (m, names, Path.GetFileName(path));
        }
        torch.manual_seed(seed);
        var model = new YoloDetector(scale, 80);
        using (no_grad())
        {
            var gen = new Generator((ulong)seed);
            foreach (var module in model.modules())
                if (module is BatchNorm2d bn)
                {
                    long c = bn.num_features;
                    bn.running_mean!.copy_(randn(c, generator: gen) * 0.2);
                    bn.running_var!.copy_(rand(c, generator: gen) + 0.5);
                    bn.weight!.copy_(rand(c, generator: gen) + 0.5);
                    bn.bias!.copy_(randn(c, generator: gen) * 0.2);
                }
        }
        model.eval();
        return (model, Enumerable.Range(0, 80).Select(i => $"class{i}").ToArray(), $"random (seed {seed})");
    }

    public static string ExportPath(string name) => Path.Combine(Path.GetTempPath(), "forge-bench", "onnx", $"{name}-{Guid.NewGuid():N}"[..40] + ".onnx");

    public static OnnxExportResult Export(YoloDetector model, string[] names, OnnxExportOptions options, string path) =>
        OnnxExporter.Export(model, options, new ExportDescription(names, model.Scale.Name, null, ForgeInfo.Version), path);

    /// <summary>Photo files for inputs: COCO128 val when found, else none.</summary>
    public static string[] Photos() =>
        Coco128() is { } c && Directory.Exists(Path.Combine(c, "images", "val2017"))
            ? Directory.GetFiles(Path.Combine(c, "images", "val2017"), "*.jpg").Order(StringComparer.Ordinal).ToArray()
            : [];

    /// <summary>batch x 3 x size x size floats: letterboxed photos from <paramref name="start"/> on, or seeded noise without photos.</summary>
    public static (float[] Images, string Source) Batch(string[] photos, int start, int batch, int size, int seed)
    {
        if (photos.Length == 0) return (OnnxParity.RandomImages(batch, size, size, seed), "noise");
        var x = new float[batch * 3 * size * size];
        for (int i = 0; i < batch; i++)
            DetectionPreprocess.Letterbox(ImageCodec.Decode(photos[(start + i) % photos.Length]), "", size, size, x, i * 3 * size * size);
        return (x, "COCO128 photos");
    }
}
