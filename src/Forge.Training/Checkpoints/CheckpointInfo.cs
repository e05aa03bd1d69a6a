using System.Globalization;
using Forge.Core.Config;
using Forge.Core.Metrics;

namespace Forge.Training.Checkpoints;

/// <summary>The metadata Forge stores beside the weights: enough to rebuild the model and to know where it came from.</summary>
public sealed record CheckpointInfo(int Epoch, double BestFitness, DetectionMetrics? Metrics, ForgeConfig Config, string[] Names, string Architecture)
{
    /// <summary>The model definition as JSON (<see cref="Forge.Models.Graph.ModelYaml.ToJson"/>) for models built from a
    /// user's yaml, whose <see cref="Architecture"/> name alone cannot rebuild them; null for built-in models.</summary>
    public string? ModelYaml { get; init; }

    /// <summary>The <see cref="ModelYaml"/> entry for <paramref name="model"/>: null for built-in definitions.</summary>
    public static string? ModelYamlOf(Forge.Models.YoloDetector model) =>
        model.Scale.Yaml.IsBuiltIn ? null : model.Scale.Yaml.ToJson(model.Scale.Key);

    /// <summary>The training settings stored in a checkpoint, or null for weights from elsewhere.</summary>
    public static ForgeConfig? ReadTrainArgs(Checkpoint ckpt, string source)
    {
        if (ckpt.Get("train_args") is not { } yaml) return null;
        var c = new ForgeConfig();
        c.ApplyYamlText(yaml, $"{source} (train_args)");
        return c;
    }

    public static ForgeConfig? ReadTrainArgs(string checkpointPath)
    {
        using var ckpt = Checkpoint.Load(checkpointPath);
        return ReadTrainArgs(ckpt, checkpointPath);
    }

    public void WriteTo(Checkpoint ckpt)
    {
        ckpt.Metadata["architecture"] = Architecture;
        if (ModelYaml is not null) ckpt.Metadata["model_yaml"] = ModelYaml;
        ckpt.Metadata["forge_version"] = ForgeInfo.Version;
        ckpt.Metadata["epoch"] = Epoch.ToString(CultureInfo.InvariantCulture);
        ckpt.Metadata["best_fitness"] = BestFitness.ToString("R", CultureInfo.InvariantCulture);
        ckpt.Metadata["date"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        ckpt.Metadata["train_args"] = Config.ToYaml();
        ckpt.SetJson("names", Names);
        if (Metrics is not null)
            ckpt.SetJson("metrics", new Dictionary<string, double>
            {
                ["metrics/precision(B)"] = Metrics.Precision,
                ["metrics/recall(B)"] = Metrics.Recall,
                ["metrics/mAP50(B)"] = Metrics.Map50,
                ["metrics/mAP50-95(B)"] = Metrics.Map50To95,
                ["fitness"] = Metrics.Fitness,
            });
    }
}
