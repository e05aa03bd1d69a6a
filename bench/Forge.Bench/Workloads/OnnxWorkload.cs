using Forge.Bench.Harness;
using Forge.Data.Imaging;
using Forge.Data.Loading;
using Forge.Export;
using Forge.Models;
using Forge.Training;
using TorchSharp;
using Forge.Testing;

namespace Forge.Bench.Workloads;

/// <summary>
/// Models, exports and inputs of the ONNX benchmarks: the COCO-trained YOLOv8n of the shared fixtures when present (else and
/// for other scales seeded random weights with non-trivial BatchNorm statistics), exports to a temp folder, and real photos
/// (COCO128 val) letterboxed to a square as predict does for a fixed-size model, or seeded noise when there are none.
/// </summary>
public static class OnnxWorkload
{
    public static string? CocoWeights() => FixturePaths.Yolov8nCoco;

    public static string? Coco128() => FixturePaths.Coco128;

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
        var model = BatchNormStatistics.Randomize(new YoloDetector(scale, 80), (ulong)seed);
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
        {
            using var photo = ImageFile.Read(photos[(start + i) % photos.Length]);
            Array.Copy(InferenceInput.Prepare(photo, "", size, auto: false).Chw, 0, x, i * 3 * size * size, 3 * size * size);
        }
        return (x, "COCO128 photos");
    }
}
