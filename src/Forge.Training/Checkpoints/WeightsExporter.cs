using Forge.Core.Serialization;

namespace Forge.Training.Checkpoints;

/// <summary>
/// Writes the deploy weights of a checkpoint as a plain safetensors file: tensor names are the detector's own state-dict
/// names (Ultralytics' layout, e.g. <c>model.22.cv2.0.0.conv.weight</c>), no training state; the metadata keeps the
/// architecture and class names so Forge can load it for val and predict, and any safetensors reader can load the tensors.
/// </summary>
public static class WeightsExporter
{
    public const string Format = "forge-weights/1";

    public static (string Path, int Tensors, long Bytes) ExportSafetensors(string checkpointPath, string outputPath)
    {
        using var ckpt = Checkpoint.Load(checkpointPath);
        var weights = ckpt.Section(Checkpoint.ModelPrefix);
        if (weights.Count == 0) throw new InvalidDataException($"{checkpointPath}: no model weights to export");
        var records = weights.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => TensorRecords.FromTensor(kv.Key, kv.Value)).ToList();
        var meta = new Dictionary<string, string>(StringComparer.Ordinal) { ["format"] = Format };
        foreach (var key in new[] { "architecture", "names", "forge_version", "epoch", "metrics", "date" })
            if (ckpt.Get(key) is { } v) meta[key] = v;
        var bytes = SafeTensorsFile.Serialize(records, meta);
        AtomicFile.Write(outputPath, bytes);
        return (Path.GetFullPath(outputPath), records.Count, bytes.LongLength);
    }
}
