using System.Collections;
using System.Globalization;
using Forge.Core.Config;
using Forge.Models;
using Forge.Models.Graph;
using Razorvine.Pickle.Objects;
using static TorchSharp.torch;

namespace Forge.Training.Weights;

/// <summary>
/// Interprets an Ultralytics checkpoint read by <see cref="TorchPickleReader"/>: a dict with <c>model</c> and <c>ema</c>
/// (pickled <c>ultralytics.nn.tasks.DetectionModel</c> trees, usually float16), <c>date</c>, <c>version</c>,
/// <c>train_args</c>, ... The EMA model is taken when present (a checkpoint saved during training), else <c>model</c>.
/// The architecture comes from the model's <c>yaml</c> dict, class names from <c>names</c>, the weights from the module
/// tree's <c>_parameters</c> and persistent <c>_buffers</c> under Ultralytics' state-dict names.
/// </summary>
public static class UltralyticsCheckpoint
{
    public sealed record Contents(ModelScale Architecture, int NumClasses, string[] Names, Dictionary<string, Tensor> State,
                                  string Taken, string? Date, string? Version, ForgeConfig? TrainArgs);

    /// <exception cref="InvalidDataException">Not an Ultralytics detection checkpoint, or its yaml cannot be built.</exception>
    public static Contents Interpret(object? root, string path)
    {
        if (root is not IDictionary top)
            throw new InvalidDataException($"{path}: not an Ultralytics checkpoint (the pickle holds a {Describe(root)}, expected a dict with 'model')");
        var (model, taken) = top["ema"] is ClassDict ema ? (ema, "ema") : top["model"] is ClassDict m ? (m, "model")
            : throw new InvalidDataException(top.Values.Cast<object?>().Any(v => v is Tensor)
                ? $"{path}: holds a bare state_dict (tensors without a model); Forge needs the architecture too: save the whole Ultralytics checkpoint (model.save / trainer output) or export safetensors with Forge"
                : $"{path}: no Ultralytics model in the checkpoint (neither 'ema' nor 'model' holds one)");
        if (!model.ClassName.StartsWith("ultralytics.", StringComparison.Ordinal) || !model.ClassName.EndsWith("DetectionModel", StringComparison.Ordinal))
            throw new InvalidDataException($"{path}: holds a {model.ClassName}; Forge loads Ultralytics detection models (DetectionModel)");
        var yaml = ReadYaml(model, path);
        var scale = ModelScale.Of(yaml, yaml.Scale ?? (yaml.YamlFile is { } f ? ModelYaml.GuessScale(f) : null));
        int nc = model.TryGetValue("nc", out var ncv) && ncv is int n ? n : yaml.Nc;
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        Flatten(model, "", state, path);
        return new Contents(scale, nc, ReadNames(model.GetValueOrDefault("names"), nc), state, taken,
                            top["date"] as string, top["version"] as string, ReadTrainArgs(top["train_args"], path));
    }

    static ModelYaml ReadYaml(ClassDict model, string path)
    {
        if (model.GetValueOrDefault("yaml") is not IDictionary dict)
            throw new InvalidDataException($"{path}: the model has no 'yaml' dict, so its architecture is unknown");
        string json;
        try { json = PickleJson.Write(dict); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{path}: the model's yaml dict is not plain data ({e.Message})"); }
        var file = dict["yaml_file"] as string;
        var family = ModelYaml.FamilyOf(Path.GetFileNameWithoutExtension(file ?? "model"));
        return ModelYaml.Parse(json, $"{path} (model yaml)", family, file is null ? null : Path.GetFileName(file), textIsFile: false);
    }

    // Module state as nn.Module.state_dict() names it: parameters, then persistent buffers, then children, depth first.
    static void Flatten(ClassDict module, string prefix, Dictionary<string, Tensor> into, string path)
    {
        var nonPersistent = module.GetValueOrDefault("_non_persistent_buffers_set") as IEnumerable;
        var skip = nonPersistent?.Cast<object>().Select(o => o.ToString()).ToHashSet() ?? [];
        foreach (var (name, value) in Items(module.GetValueOrDefault("_parameters")).Concat(
                     Items(module.GetValueOrDefault("_buffers")).Where(kv => !skip.Contains(kv.Item1))))
        {
            if (value is null) continue;
            if (value is not Tensor t) throw new InvalidDataException($"{path}: {prefix}{name} is a {Describe(value)}, not a tensor");
            into[prefix + name] = t;
        }
        foreach (var (name, child) in Items(module.GetValueOrDefault("_modules")))
        {
            if (child is null) continue;
            if (child is not ClassDict c) throw new InvalidDataException($"{path}: module {prefix}{name} is a {Describe(child)}, not a module");
            Flatten(c, $"{prefix}{name}.", into, path);
        }
    }

    static IEnumerable<(string, object?)> Items(object? dict)
    {
        if (dict is not IDictionary d) yield break;
        var keys = d is OrderedHashtable o ? o.OrderedKeys : d.Keys.Cast<object>();
        foreach (var k in keys) yield return (Convert.ToString(k, CultureInfo.InvariantCulture)!, d[k]);
    }

    static string[] ReadNames(object? names, int nc)
    {
        var result = Enumerable.Range(0, nc).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        switch (names)
        {
            case IDictionary d:
                foreach (DictionaryEntry e in d)
                    if (e.Key is int i && i >= 0 && i < nc && e.Value is string s) result[i] = s;
                break;
            case IList l:
                for (int i = 0; i < Math.Min(nc, l.Count); i++) if (l[i] is string s) result[i] = s;
                break;
        }
        return result;
    }

    // Only the image size carries over: val and predict default to the size the weights were trained at, as Ultralytics does.
    static ForgeConfig? ReadTrainArgs(object? args, string path)
    {
        var dict = args as IDictionary ?? (args as ClassDict)?.ToDictionary(kv => (object)kv.Key, kv => kv.Value) as IDictionary;
        if (dict?["imgsz"] is not int imgsz || imgsz <= 0) return null;
        var cfg = new ForgeConfig();
        cfg.ApplyArguments([$"imgsz={imgsz}"]);
        return cfg;
    }

    static string Describe(object? v) => v switch
    {
        null => "None",
        ClassDict c => c.ClassName,
        Tensor => "tensor",
        _ => v.GetType().Name,
    };
}
