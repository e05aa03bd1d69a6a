using Forge.Core.Serialization;
using Forge.Training.Weights;
using static TorchSharp.torch;

namespace Forge.Training.Checkpoints;

/// <summary>
/// Writes the deploy weights of a weights file (a Forge checkpoint or an Ultralytics .pt) as a plain safetensors file:
/// tensor names are the detector's own state-dict names (Ultralytics' layout, e.g. <c>model.22.cv2.0.0.conv.weight</c>),
/// float32, no training state; the metadata keeps the architecture (and the model yaml of a user-defined model) and
/// class names so Forge can load it for val and predict, and any safetensors reader can load the tensors.
/// </summary>
public static class WeightsExporter
{
    public const string Format = "forge-weights/1";

    /// <exception cref="InvalidDataException">The input cannot be loaded or its weights do not fit its architecture.</exception>
    public static (string Path, int Tensors, long Bytes) ExportSafetensors(string weightsPath, string outputPath)
    {
        using var weights = PretrainedWeights.Load(weightsPath);
        using var model = weights.CreateModel();    // verifies every tensor against the architecture
        using var scope = NewDisposeScope();
        var records = model.state_dict().OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => TensorRecords.FromTensor(kv.Key, kv.Value)).ToList();
        if (records.Count == 0) throw new InvalidDataException($"{weightsPath}: no model weights to export");
        var meta = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["format"] = Format,
            ["architecture"] = model.Architecture,
            ["names"] = System.Text.Json.JsonSerializer.Serialize(weights.Names),
            ["source"] = $"{Path.GetFileName(weightsPath)} ({weights.Format})",
        };
        if (CheckpointInfo.ModelYamlOf(model) is { } yaml) meta["model_yaml"] = yaml;
        if (weights.Date is { } date) meta["date"] = date;
        if (weights.Format.StartsWith("Forge", StringComparison.Ordinal))
        {
            using var ckpt = Checkpoint.Load(weightsPath);
            foreach (var key in new[] { "forge_version", "epoch", "metrics" })
                if (ckpt.Get(key) is { } v) meta[key] = v;
        }
        else if (weights.Version is { } version) meta["ultralytics_version"] = version;
        var bytes = SafeTensorsFile.Serialize(records, meta);
        AtomicFile.Write(outputPath, bytes);
        return (Path.GetFullPath(outputPath), records.Count, bytes.LongLength);
    }
}
