using System.Globalization;
using System.Text;
using YamlDotNet.RepresentationModel;

namespace Forge.Models.Graph;

/// <summary>
/// A detector definition in Ultralytics' model-yaml format: <c>nc</c>, optional <c>scales</c> (or
/// <c>depth_multiple</c>/<c>width_multiple</c>), and <c>backbone</c> + <c>head</c> lists of
/// <c>[from, repeats, module, args]</c> rows. Built-in definitions: <see cref="BuiltinModels"/>; building the network:
/// <see cref="DetectorGraph"/>. Format reference: ultralytics/cfg/models/*/*.yaml and parse_model in
/// ultralytics/nn/tasks.py (8.3.57).
/// </summary>
public sealed class ModelYaml : IEquatable<ModelYaml>
{
    readonly List<KeyValuePair<string, ScaleFactors>> scales;

    /// <summary>Where the definition came from, for messages: a path, "yolo11.yaml (built-in)", "best.pt (yaml)".</summary>
    public string Source { get; }
    /// <summary>Model family: "yolov8", "yolo11", or a user file's stem with the scale letter removed ("yolov8s-p2" → "yolov8-p2").</summary>
    public string Family { get; }
    /// <summary>True for Forge's embedded yolov8.yaml / yolo11.yaml (and any definition with the same layers and scales).</summary>
    public bool IsBuiltIn { get; }
    /// <summary>Class count written in the file; a detector built for a dataset overrides it (as Ultralytics does).</summary>
    public int Nc { get; }
    /// <summary>Input channels (<c>ch</c>, default 3).</summary>
    public int InputChannels { get; }
    public IReadOnlyList<KeyValuePair<string, ScaleFactors>> Scales => scales;
    /// <summary>Gains used when the file has no <c>scales</c>.</summary>
    public double DepthMultiple { get; }
    public double WidthMultiple { get; }
    /// <summary>The scale key stored with the definition (Ultralytics writes <c>scale</c> into a checkpoint's yaml dict), if any.</summary>
    public string? Scale { get; }
    /// <summary>Name of the yaml file the definition was read from (<c>yaml_file</c> in Ultralytics' dict), if known.</summary>
    public string? YamlFile { get; }
    /// <summary>Backbone rows then head rows, indexed from 0.</summary>
    public IReadOnlyList<LayerSpec> Layers { get; }
    public int BackboneCount { get; }

    ModelYaml(string source, string family, int nc, int ch, List<KeyValuePair<string, ScaleFactors>> scales, double depth,
              double width, string? scale, string? yamlFile, List<LayerSpec> layers, int backboneCount, bool builtInDefinition)
    {
        Source = source;
        Nc = nc;
        InputChannels = ch;
        this.scales = scales;
        DepthMultiple = depth;
        WidthMultiple = width;
        Scale = scale;
        YamlFile = yamlFile;
        Layers = layers;
        BackboneCount = backboneCount;
        var builtIn = builtInDefinition ? null : BuiltinModels.Matching(this);
        IsBuiltIn = builtInDefinition || builtIn is not null;
        Family = builtIn?.Family ?? family;
    }

    /// <summary>Reads a model yaml file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The yaml is malformed; the message names the file and line.</exception>
    public static ModelYaml Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"model yaml not found: {path}", path);
        var stem = Path.GetFileNameWithoutExtension(path);
        return Parse(File.ReadAllText(path), path, FamilyOf(stem), yamlFile: Path.GetFileName(path));
    }

    /// <summary>Parses yaml (or JSON) text. <paramref name="source"/> names it in errors, <paramref name="family"/> names the model.</summary>
    /// <param name="textIsFile">The text is what the user wrote (errors and <see cref="LayerSpec.Line"/> give its lines);
    /// false for text Forge generated (a checkpoint's stored definition), whose lines mean nothing to the user.</param>
    /// <exception cref="InvalidDataException">Malformed text or rows; the message names <paramref name="source"/> and the line.</exception>
    public static ModelYaml Parse(string text, string source, string family, string? yamlFile = null, bool textIsFile = true) =>
        Parse(text, source, family, yamlFile, builtInDefinition: false, textIsFile);

    internal static ModelYaml Parse(string text, string source, string family, string? yamlFile, bool builtInDefinition, bool textIsFile = true)
    {
        var stream = new YamlStream();
        try { stream.Load(new StringReader(text)); }
        catch (Exception e) when (e is YamlDotNet.Core.YamlException or InvalidOperationException)
        {
            int line = e is YamlDotNet.Core.YamlException ye ? (int)ye.Start.Line : 0;
            throw new InvalidDataException($"{source}{(line > 0 ? $":{line}" : "")}: invalid yaml ({e.Message})");
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new InvalidDataException($"{source}: a model yaml must be a mapping with nc, backbone and head");
        var entries = root.Children.ToDictionary(kv => ((YamlScalarNode)kv.Key).Value ?? "", kv => kv.Value);

        int nc = IntEntry(entries, "nc", source, 80);
        int ch = IntEntry(entries, "ch", source, 3);
        var scaleList = ReadScales(entries, source);
        double depth = DoubleEntry(entries, "depth_multiple", source, 1.0);
        double width = DoubleEntry(entries, "width_multiple", source, 1.0);
        string? scale = entries.TryGetValue("scale", out var s) && YamlValues.ToValue(s) is string sv && sv.Length > 0 ? sv : null;
        string? file = entries.TryGetValue("yaml_file", out var f) && YamlValues.ToValue(f) is string fv ? fv : yamlFile;
        if (entries.TryGetValue("activation", out var act) && YamlValues.ToValue(act) is string a && a.Replace(" ", "") != "nn.SiLU()")
            throw new InvalidDataException($"{source}:{act.Start.Line}: activation '{a}' is not supported; Forge builds Conv with SiLU (nn.SiLU())");
        var layers = new List<LayerSpec>();
        ReadRows(entries, "backbone", source, layers, textIsFile);
        int backbone = layers.Count;
        ReadRows(entries, "head", source, layers, textIsFile);
        if (layers.Count == 0) throw new InvalidDataException($"{source}: no layers (expected backbone: and head: lists)");
        return new ModelYaml(source, family, nc, ch, scaleList, depth, width, scale, file, layers, backbone, builtInDefinition);
    }

    /// <summary>The family of a yaml file stem by Ultralytics' rule (drop the scale letter after the version digits).</summary>
    public static string FamilyOf(string stem) =>
        System.Text.RegularExpressions.Regex.Replace(stem, @"(\d+)([nslmx])(.+)?$", "$1$3");

    /// <summary>Ultralytics' guess_model_scale: the letter after "yolo[v]N" in a file stem, or null.</summary>
    public static string? GuessScale(string stemOrPath)
    {
        var m = System.Text.RegularExpressions.Regex.Match(Path.GetFileNameWithoutExtension(stemOrPath), @"yolo[v]?\d+([nslmx])");
        return m.Success ? m.Groups[1].Value : null;
    }

    /// <summary>The factors of scale <paramref name="key"/>, or null when the file has no such scale.</summary>
    public ScaleFactors? FactorsOf(string key) => scales.FirstOrDefault(kv => kv.Key == key).Value;

    static int IntEntry(Dictionary<string, YamlNode> e, string key, string source, int fallback)
    {
        if (!e.TryGetValue(key, out var node)) return fallback;
        return YamlValues.ToValue(node) switch
        {
            int i => i,
            double d when d == Math.Floor(d) => (int)d,
            var v => throw new InvalidDataException($"{source}:{node.Start.Line}: {key} must be an integer, got {YamlValues.Format(v)}"),
        };
    }

    static double DoubleEntry(Dictionary<string, YamlNode> e, string key, string source, double fallback)
    {
        if (!e.TryGetValue(key, out var node)) return fallback;
        return YamlValues.ToValue(node) switch
        {
            int i => i,
            double d => d,
            var v => throw new InvalidDataException($"{source}:{node.Start.Line}: {key} must be a number, got {YamlValues.Format(v)}"),
        };
    }

    static List<KeyValuePair<string, ScaleFactors>> ReadScales(Dictionary<string, YamlNode> e, string source)
    {
        var list = new List<KeyValuePair<string, ScaleFactors>>();
        if (!e.TryGetValue("scales", out var node) || node is YamlScalarNode { Value: null or "" or "null" or "~" }) return list;
        if (node is not YamlMappingNode map)
            throw new InvalidDataException($"{source}:{node.Start.Line}: scales must be a mapping like n: [0.33, 0.25, 1024]");
        foreach (var (k, v) in map.Children)
        {
            var key = ((YamlScalarNode)k).Value ?? "";
            if (YamlValues.ToValue(v) is not List<object?> { Count: 3 } f || f.Any(x => x is not (int or double)))
                throw new InvalidDataException($"{source}:{v.Start.Line}: scale '{key}' must be [depth, width, max_channels]");
            list.Add(new(key, new ScaleFactors(Convert.ToDouble(f[0], CultureInfo.InvariantCulture),
                Convert.ToDouble(f[1], CultureInfo.InvariantCulture), Convert.ToDouble(f[2], CultureInfo.InvariantCulture))));
        }
        return list;
    }

    static void ReadRows(Dictionary<string, YamlNode> e, string section, string source, List<LayerSpec> layers, bool lines)
    {
        if (!e.TryGetValue(section, out var node)) throw new InvalidDataException($"{source}: no '{section}:' list");
        if (node is not YamlSequenceNode seq) throw new InvalidDataException($"{source}:{node.Start.Line}: '{section}' must be a list of [from, repeats, module, args]");
        foreach (var row in seq.Children) layers.Add(ReadRow(row, layers.Count, source, lines));
    }

    static LayerSpec ReadRow(YamlNode row, int index, string source, bool lines)
    {
        int line = lines ? (int)row.Start.Line : 0;
        string where = lines ? $"{source}:{line}: layer {index}" : $"{source}: layer {index}";
        if (YamlValues.ToValue(row) is not List<object?> { Count: 4 } r)
            throw new InvalidDataException($"{where}: expected [from, repeats, module, args]");
        var (from, isList) = r[0] switch
        {
            int i => ((IReadOnlyList<int>)[i], false),
            List<object?> l when l.Count > 0 && l.All(x => x is int) => (l.Cast<int>().ToArray(), true),
            var v => throw new InvalidDataException($"{where}: 'from' must be an integer or a list of integers, got {YamlValues.Format(v)}"),
        };
        if (r[1] is not int repeats || repeats < 1)
            throw new InvalidDataException($"{where}: repeats must be a positive integer, got {YamlValues.Format(r[1])}");
        if (r[2] is not string module || module.Length == 0)
            throw new InvalidDataException($"{where}: module must be a name such as Conv or C2f, got {YamlValues.Format(r[2])}");
        var args = r[3] switch
        {
            List<object?> l => l,
            null => [],
            var v => throw new InvalidDataException($"{where}: args must be a list, got {YamlValues.Format(v)}"),
        };
        return new LayerSpec(index, from, isList, repeats, module, args, line);
    }

    /// <summary>
    /// The definition as one JSON object (also valid yaml), the form Ultralytics keeps in a checkpoint's <c>yaml</c> dict:
    /// nc, ch, scales or gains, backbone, head, and <paramref name="scale"/> when given. One layer row per line.
    /// </summary>
    public string ToJson(string? scale = null)
    {
        var sb = new StringBuilder("{\n");
        sb.Append($"  \"nc\": {Nc},\n  \"ch\": {InputChannels},\n");
        if (scales.Count > 0)
            sb.Append("  \"scales\": {").Append(string.Join(", ", scales.Select(kv =>
                $"{Quote(kv.Key)}: [{Num(kv.Value.Depth)}, {Num(kv.Value.Width)}, {Num(kv.Value.MaxChannels)}]"))).Append("},\n");
        else
            sb.Append($"  \"depth_multiple\": {Num(DepthMultiple)},\n  \"width_multiple\": {Num(WidthMultiple)},\n");
        if ((scale ?? Scale) is { } sc) sb.Append($"  \"scale\": {Quote(sc)},\n");
        if (YamlFile is { } yf) sb.Append($"  \"yaml_file\": {Quote(yf)},\n");
        AppendRows(sb, "backbone", Layers.Take(BackboneCount));
        sb.Append(",\n");
        AppendRows(sb, "head", Layers.Skip(BackboneCount));
        return sb.Append("\n}\n").ToString();
    }

    static void AppendRows(StringBuilder sb, string name, IEnumerable<LayerSpec> rows)
    {
        sb.Append($"  \"{name}\": [\n    ");
        sb.Append(string.Join(",\n    ", rows.Select(l =>
            $"[{(l.FromIsList ? "[" + string.Join(", ", l.From) + "]" : l.From[0].ToString(CultureInfo.InvariantCulture))}, " +
            $"{l.Repeats}, {Quote(l.Module)}, {Json(l.Args)}]")));
        sb.Append("\n  ]");
    }

    static string Json(object? v) => v switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        string s => Quote(s),
        double d => Num(d),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        System.Collections.IEnumerable e => "[" + string.Join(", ", e.Cast<object?>().Select(Json)) + "]",
        _ => Quote(v.ToString() ?? ""),
    };

    static string Num(double d) => double.IsPositiveInfinity(d) ? "1e999" : d.ToString("R", CultureInfo.InvariantCulture);
    static string Quote(string s) => System.Text.Json.JsonSerializer.Serialize(s);

    /// <summary>Layers, scales and gains equal (source, family and file name aside).</summary>
    public bool SameArchitecture(ModelYaml other) =>
        InputChannels == other.InputChannels && DepthMultiple == other.DepthMultiple && WidthMultiple == other.WidthMultiple
        && scales.SequenceEqual(other.scales) && BackboneCount == other.BackboneCount && Layers.Count == other.Layers.Count
        && Layers.Zip(other.Layers).All(p => SameRow(p.First, p.Second, other.Nc));

    // Arguments compare as parse_model resolves them ('nc', 'None', 'True'), with one class count for both.
    static bool SameRow(LayerSpec a, LayerSpec b, int nc) =>
        a.Module == b.Module && a.Repeats == b.Repeats && a.FromIsList == b.FromIsList && a.From.SequenceEqual(b.From)
        && Json(a.Args.Select(x => YamlValues.ResolveArgument(x, nc))) == Json(b.Args.Select(x => YamlValues.ResolveArgument(x, nc)));

    /// <summary>Same family and architecture; the default class count <see cref="Nc"/> is not part of it.</summary>
    public bool Equals(ModelYaml? other) => other is not null && (ReferenceEquals(this, other) || Family == other.Family && SameArchitecture(other));
    public override bool Equals(object? obj) => Equals(obj as ModelYaml);
    public override int GetHashCode() => HashCode.Combine(Family, Layers.Count);
    public override string ToString() => $"{Family} ({Source})";
}
