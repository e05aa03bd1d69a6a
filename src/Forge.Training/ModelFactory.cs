using Forge.Models;
using Forge.Models.Graph;
using Forge.Training.Checkpoints;
using Forge.Training.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Training;

/// <summary>
/// Turns a <c>model=</c> setting into a detector: a built-in name (<c>yolov8n</c>, <c>yolo11s</c>), a model yaml
/// (<c>yolo11s.yaml</c>, <c>path/to/my-model.yaml</c>), or a weights file (<c>.safetensors</c>, Ultralytics <c>.pt</c>, read
/// through <see cref="PretrainedWeights"/>); loads weights by name and shape.
/// </summary>
public static class ModelFactory
{
    /// <summary>True when the setting names a weights file (.safetensors, .pt, .pth, or an existing file that is not a yaml).</summary>
    public static bool IsWeightsFile(string model) => PretrainedWeights.IsWeightsFile(model);

    /// <summary>Reads the architecture line stored by <see cref="YoloDetector.Architecture"/> of a built-in model: scale and class count.</summary>
    /// <exception cref="InvalidDataException">Not such a line, or not a built-in model.</exception>
    public static (ModelScale Scale, int NumClasses) ParseArchitecture(string architecture, string source)
    {
        var (scale, nc) = ParseArchitecture(architecture, source, allowUnknownName: false);
        return (scale!, nc);
    }

    /// <param name="allowUnknownName">Accept a model name that is not built in (its yaml is stored beside): the scale is then null.</param>
    public static (ModelScale? Scale, int NumClasses) ParseArchitecture(string architecture, string source, bool allowUnknownName)
    {
        var parts = architecture.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        ModelScale? scale = null;
        if (parts.Length < 2 || !(ModelScale.TryParseName(parts[0], out scale) || allowUnknownName) || !parts[1].StartsWith("nc=", StringComparison.Ordinal)
            || !int.TryParse(parts[1][3..], out int nc))
            throw new InvalidDataException($"{source}: unrecognised architecture description '{architecture}'");
        return (scale, nc);
    }

    /// <summary>
    /// The definition a model name or yaml path selects. A yaml path that exists is read (its scale from the file name,
    /// yolo11s-p2.yaml → s, else its first scale with a warning); Ultralytics' family file (yolov8.yaml for yolov8s.yaml) is
    /// preferred when it exists beside it; names of built-in models need no file.
    /// </summary>
    /// <param name="warn">Receives warnings (no scale given).</param>
    /// <exception cref="FileNotFoundException">A yaml that exists neither on disk nor built in.</exception>
    /// <exception cref="ArgumentException">A name that is neither.</exception>
    /// <exception cref="InvalidDataException">A yaml that cannot be parsed or built.</exception>
    public static ModelScale ResolveDefinition(string model, Action<string>? warn = null)
    {
        var ext = Path.GetExtension(model).ToLowerInvariant();
        var stem = Path.GetFileNameWithoutExtension(model);
        if (ext is ".yaml" or ".yml")
        {
            var unified = Path.Combine(Path.GetDirectoryName(model) ?? "", ModelYaml.FamilyOf(stem) + Path.GetExtension(model));
            var file = File.Exists(unified) ? unified : File.Exists(model) ? model : null;
            if (file is not null) return ModelScale.Of(ModelYaml.Load(file), ModelYaml.GuessScale(stem), warn);
        }
        else if (ext.Length > 0 && !ModelScale.TryParseName(model, out _))
            throw new ArgumentException($"model={model}: not a model name, yaml or weights file. {Choices}");
        if (ModelScale.TryParseName(Path.GetFileName(model), out var scale)) return scale;
        if (BuiltinModels.TryGet(stem) is { } family) return ModelScale.Of(family, null, warn);
        if (ext is ".yaml" or ".yml") throw new FileNotFoundException($"model={model}: model yaml not found. {Choices}", model);
        throw new ArgumentException($"model={model}: not a known model. {Choices}");
    }

    const string Choices = "Use yolov8n/s/m/l/x or yolo11n/s/m/l/x (from scratch), a model yaml (yolo11s.yaml or your own file), " +
                           "or a weights file (.pt from Ultralytics, .safetensors from Forge).";

    /// <summary>A new detector for a model name or yaml, weights randomly initialised from the current torch seed.</summary>
    /// <param name="create">Builds the detector for the resolved definition (default: <see cref="YoloDetector"/>).</param>
    public static YoloDetector Create(string modelName, int numClasses, Func<ModelScale, int, YoloDetector>? create = null, Action<string>? warn = null) =>
        (create ?? DefaultDetector)(ResolveDefinition(modelName, warn), numClasses);

    public static YoloDetector DefaultDetector(ModelScale scale, int numClasses) => new(scale, numClasses);

    /// <summary>Builds the model a weights file (.safetensors or .pt) describes and loads every tensor (for val / predict).</summary>
    /// <exception cref="InvalidDataException">Weights that do not fit the architecture; a damaged or refused file.</exception>
    public static (YoloDetector Model, string[] Names) FromCheckpoint(string path)
    {
        using var weights = PretrainedWeights.Load(path);
        return (weights.CreateModel(), weights.Names);
    }

    /// <summary>
    /// The detector a training run starts from. A name or yaml: built from scratch (logged as "no pretrained weights").
    /// A weights file: the file's architecture with the dataset's class count, tensors matched by name and shape and
    /// the skipped ones reported (fine-tuning); a resumed run loads its own checkpoint afterwards instead.
    /// </summary>
    public static YoloDetector ForTraining(string model, int numClasses, bool resuming, TextWriter log, Func<ModelScale, int, YoloDetector> create)
    {
        if (!IsWeightsFile(model))
        {
            var scale = ResolveDefinition(model, log.WriteLine);
            var fresh = create(scale, numClasses);
            if (!resuming)
                log.WriteLine($"Model {scale.Name} from {scale.Yaml.Source}{(scale.Key.Length > 0 ? $" (scale {scale.Key})" : "")}, " +
                              $"{fresh.ParameterCount():N0} parameters: no pretrained weights, training from scratch " +
                              "(model=path/to/weights.pt or .safetensors starts from pretrained weights)");
            return fresh;
        }
        using var weights = PretrainedWeights.Load(model);
        var built = create(weights.Architecture, numClasses);
        if (!resuming)
        {
            log.WriteLine($"Loaded {weights.Describe()}");
            var report = LoadMatching(built, weights.State);
            log.WriteLine($"Transferred weights from {model}: {report.Describe()}");
        }
        return built;
    }

    /// <summary>The detector and class names of a Forge checkpoint already in memory (rank 0's best weights received by every
    /// rank for the final validation); <paramref name="path"/> names it in errors. A user-defined model's yaml comes from the
    /// checkpoint's metadata.</summary>
    /// <exception cref="InvalidDataException">No architecture in the metadata, or weights that do not fit it.</exception>
    public static (YoloDetector Model, string[] Names) FromCheckpoint(Checkpoint ckpt, string path)
    {
        var (scale, nc) = PretrainedWeights.ArchitectureOf(ckpt, path);
        var model = new YoloDetector(scale, nc);
        var report = LoadMatching(model, ckpt.Section(Checkpoint.ModelPrefix));
        if (report.Missing.Count > 0 || report.Skipped.Count > 0)
            throw new InvalidDataException($"{path}: weights do not fit {ckpt.Get("architecture")}: {report.Describe()}");
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
