using Forge.Models.Graph;

namespace Forge.Models;

/// <summary>
/// One scale of a model definition: the yaml (<see cref="ModelYaml"/>) plus the chosen key of its <c>scales</c>
/// (n/s/m/l/x) with that key's depth gain, width gain and channel cap. <see cref="N"/> ... <see cref="X"/> are YOLOv8's.
/// Two scales are equal when their definitions have the same layers and the same key.
/// </summary>
public sealed class ModelScale : IEquatable<ModelScale>
{
    public ModelYaml Yaml { get; }
    /// <summary>Key in the yaml's <c>scales</c> ("n" ... "x"), or "" when the yaml uses depth_multiple/width_multiple.</summary>
    public string Key { get; }
    public double Depth { get; }
    public double Width { get; }
    /// <summary>Channel cap before the width gain (infinity without scales).</summary>
    public double MaxChannels { get; }

    /// <summary>The scale letter ('n' ... 'x'), or '\0' for a yaml without scales.</summary>
    public char Letter => Key.Length > 0 ? Key[0] : '\0';

    /// <summary>"yolov8n", "yolo11s"; for a user's yaml its file stem ("yolov8s-p2").</summary>
    public string Name => Yaml.IsBuiltIn || Yaml.YamlFile is null ? Yaml.Family + Key : Path.GetFileNameWithoutExtension(Yaml.YamlFile);

    ModelScale(ModelYaml yaml, string key, double depth, double width, double maxChannels)
    {
        Yaml = yaml;
        Key = key;
        Depth = depth;
        Width = width;
        MaxChannels = maxChannels;
    }

    public static ModelScale N => Of(BuiltinModels.YoloV8, "n");
    public static ModelScale S => Of(BuiltinModels.YoloV8, "s");
    public static ModelScale M => Of(BuiltinModels.YoloV8, "m");
    public static ModelScale L => Of(BuiltinModels.YoloV8, "l");
    public static ModelScale X => Of(BuiltinModels.YoloV8, "x");

    /// <summary>A YOLOv8 scale by letter.</summary>
    public static ModelScale FromLetter(char c) => "nsmlx".Contains(char.ToLowerInvariant(c))
        ? Of(BuiltinModels.YoloV8, char.ToLowerInvariant(c).ToString())
        : throw new ArgumentException($"unknown model scale '{c}': use one of n, s, m, l, x");

    /// <summary>
    /// Scale <paramref name="key"/> of <paramref name="yaml"/>. Without a key: the yaml's stored <c>scale</c>, else the first
    /// of its scales (Ultralytics does the same and warns; <paramref name="warn"/> receives the warning).
    /// </summary>
    /// <exception cref="ArgumentException">The yaml has scales but not <paramref name="key"/>.</exception>
    public static ModelScale Of(ModelYaml yaml, string? key, Action<string>? warn = null)
    {
        if (yaml.IsBuiltIn && BuiltinModels.TryGet(yaml.Family) is { } canonical) yaml = canonical;
        if (yaml.Scales.Count == 0) return new ModelScale(yaml, "", yaml.DepthMultiple, yaml.WidthMultiple, double.PositiveInfinity);
        if (string.IsNullOrEmpty(key))
        {
            key = yaml.Scale ?? yaml.Scales[0].Key;
            if (yaml.Scale is null) warn?.Invoke($"WARNING: no model scale given for {yaml.Source}; assuming scale='{key}'");
        }
        var f = yaml.FactorsOf(key)
                ?? throw new ArgumentException($"{yaml.Source}: no scale '{key}' (scales: {string.Join(", ", yaml.Scales.Select(s => s.Key))})");
        return new ModelScale(yaml, key, f.Depth, f.Width, f.MaxChannels);
    }

    /// <summary>
    /// Parses a built-in model name: "yolov8n", "yolo11s", with or without ".yaml", or a bare letter (YOLOv8).
    /// Paths and other files are not names (see <c>ModelSource</c> in Forge.Training).
    /// </summary>
    public static bool TryParseName(string name, out ModelScale scale)
    {
        scale = null!;
        var trimmed = name.Trim();
        var ext = Path.GetExtension(trimmed).ToLowerInvariant();
        if (ext is not ("" or ".yaml" or ".yml") || trimmed.Contains('/') || trimmed.Contains('\\')) return false;
        var stem = Path.GetFileNameWithoutExtension(trimmed).ToLowerInvariant();
        if (stem.Length == 1 && "nsmlx".Contains(stem[0])) { scale = FromLetter(stem[0]); return true; }
        foreach (var family in BuiltinModels.Families)
            if (stem.Length == family.Length + 1 && stem.StartsWith(family, StringComparison.Ordinal) && "nsmlx".Contains(stem[^1]))
            {
                scale = Of(BuiltinModels.Get(family), stem[^1].ToString());
                return true;
            }
        return false;
    }

    /// <summary>Channels of a layer whose yaml width is <paramref name="baseChannels"/>: capped, scaled, rounded up to a multiple of 8
    /// (Ultralytics' make_divisible(min(c, max_channels) * width, 8)).</summary>
    public int Channels(int baseChannels)
    {
        double c = Math.Min(baseChannels, MaxChannels) * Width;
        return (int)(Math.Ceiling(c / 8) * 8);
    }

    /// <summary>Repeats of a block whose yaml count is <paramref name="n"/> (max(round(n * depth), 1) for n &gt; 1, Python's
    /// round-half-even, as parse_model does).</summary>
    public int Repeats(int n) => n > 1 ? Math.Max((int)Math.Round(n * Depth, MidpointRounding.ToEven), 1) : n;

    public bool Equals(ModelScale? other) => other is not null && Key == other.Key && Yaml.Equals(other.Yaml);
    public override bool Equals(object? obj) => Equals(obj as ModelScale);
    public override int GetHashCode() => HashCode.Combine(Yaml, Key);
    public static bool operator ==(ModelScale? a, ModelScale? b) => a?.Equals(b) ?? b is null;
    public static bool operator !=(ModelScale? a, ModelScale? b) => !(a == b);
    public override string ToString() => Name;
}
