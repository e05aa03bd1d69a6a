using Forge.Models;
using Forge.Training.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Training;

/// <summary>Builds detectors from a model= setting and loads weights into them by name and shape.</summary>
public static class ModelFactory
{
    /// <summary>True when the setting names a file rather than a scale.</summary>
    public static bool IsWeightsFile(string model) =>
        model.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase) || File.Exists(model);

    /// <summary>Reads the architecture line stored by <see cref="YoloDetector.Architecture"/>: returns scale and class count.</summary>
    public static (ModelScale Scale, int NumClasses) ParseArchitecture(string architecture, string source)
    {
        var parts = architecture.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2 || !ModelScale.TryParseName(parts[0], out var scale) || !parts[1].StartsWith("nc=", StringComparison.Ordinal)
            || !int.TryParse(parts[1][3..], out int nc))
            throw new InvalidDataException($"{source}: unrecognised architecture description '{architecture}'");
        return (scale, nc);
    }

    /// <summary>A new detector for a scale name (yolov8n ... yolov8x), weights randomly initialised from the current torch seed.</summary>
    /// <param name="create">Builds the detector for the parsed scale (default: <see cref="YoloDetector"/>).</param>
    public static YoloDetector Create(string modelName, int numClasses, Func<ModelScale, int, YoloDetector>? create = null)
    {
        if (!ModelScale.TryParseName(modelName, out var scale))
            throw new ArgumentException($"model={modelName}: not a known model. Use yolov8n, yolov8s, yolov8m, yolov8l, yolov8x or a .safetensors file.");
        return (create ?? DefaultDetector)(scale, numClasses);
    }

    public static YoloDetector DefaultDetector(ModelScale scale, int numClasses) => new(scale, numClasses);

    /// <summary>Builds the model a checkpoint describes and loads its weights (for val / predict).</summary>
    public static (YoloDetector Model, string[] Names) FromCheckpoint(string path)
    {
        using var ckpt = Checkpoint.Load(path);
        var arch = ckpt.Get("architecture") ?? throw new InvalidDataException($"{path}: no architecture in the metadata; was it written by Forge?");
        var (scale, nc) = ParseArchitecture(arch, path);
        var model = new YoloDetector(scale, nc);
        var report = LoadMatching(model, ckpt.Section(Checkpoint.ModelPrefix));
        if (report.Missing.Count > 0 || report.Skipped.Count > 0)
            throw new InvalidDataException($"{path}: weights do not fit {arch}: {report.Describe()}");
        var names = ckpt.GetJson<string[]>("names") ?? Enumerable.Range(0, nc).Select(i => i.ToString()).ToArray();
        return (model, names);
    }

    public sealed record TransferReport(List<string> Loaded, List<string> Skipped, List<string> Missing)
    {
        public string Describe() =>
            $"{Loaded.Count} tensors loaded, {Skipped.Count} skipped (shape differs){(Skipped.Count > 0 ? ": " + string.Join(", ", Skipped.Take(6)) + (Skipped.Count > 6 ? ", ..." : "") : "")}, " +
            $"{Missing.Count} not in the file{(Missing.Count > 0 ? ": " + string.Join(", ", Missing.Take(6)) + (Missing.Count > 6 ? ", ..." : "") : "")}";
    }

    /// <summary>Copies tensors whose name and shape match; reports the rest (fine-tuning from a checkpoint with another class count).</summary>
    public static TransferReport LoadMatching(nn.Module model, IReadOnlyDictionary<string, Tensor> source)
    {
        var report = new TransferReport(new(), new(), new());
        using var _ = no_grad();
        // The dtype and device conversions make new handles even when nothing changes; release them here.
        using var scope = NewDisposeScope();
        foreach (var (name, target) in model.state_dict())
        {
            if (!source.TryGetValue(name, out var s)) { report.Missing.Add(name); continue; }
            if (!s.shape.SequenceEqual(target.shape)) { report.Skipped.Add($"{name} [{string.Join("x", s.shape)}→{string.Join("x", target.shape)}]"); continue; }
            target.copy_(s.to(target.dtype).to(target.device));
            report.Loaded.Add(name);
        }
        return report;
    }
}
