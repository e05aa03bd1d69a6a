using System.Globalization;
using Forge.Core.Detection;

namespace Forge.Core.Config;

// Reading, writing, comparing and checking settings by their user-facing names. Works on whatever ForgeConfig.cs declares.
public sealed partial class ForgeConfig
{
    HashSet<string> _explicit = new(StringComparer.Ordinal);

    public ForgeConfig Clone()
    {
        // Sections are never changed in place (a write replaces them), so sharing them between the copies is safe.
        var c = (ForgeConfig)ConfigKey.MemberwiseCopy(this);
        c._explicit = new HashSet<string>(_explicit, StringComparer.Ordinal);
        return c;
    }

    /// <summary>A setting's typed value by its user-facing name (bool, int, double, string or null).</summary>
    public object? this[string key] => Key(key, "config").Read(this);

    public bool GetBool(string key) => (bool)this[key]!;
    public int GetInt(string key) => (int)this[key]!;
    public double GetFloat(string key) => (double)this[key]!;
    public string? GetString(string key) => (string?)this[key];

    /// <summary>Sets one setting from text, as typed on a command line or read from yaml. <paramref name="origin"/> names where it came from for errors.</summary>
    public void Set(string key, string? raw, string origin = "command line")
    {
        var spec = Key(key, origin);
        spec.Write(this, Parse(spec, raw, origin));
        _explicit.Add(key);
    }

    /// <summary>True when the setting was given (command line, yaml or code) rather than left at its default.</summary>
    public bool IsSet(string key) => _explicit.Contains(key);

    /// <summary>Sets a typed value (for code, e.g. the demo's defaults).</summary>
    public ForgeConfig With(string key, object? value)
    {
        Set(key, value is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : value?.ToString(), "code");
        return this;
    }

    /// <summary>Applies <c>key=value</c> arguments; a bare word that is not key=value is an error naming it.</summary>
    public void ApplyArguments(IEnumerable<string> args)
    {
        foreach (var (key, value) in KeyValueArguments.Parse(args, "for example epochs=30; see 'forge help'")) Set(key, value);
    }

    /// <summary>Reads settings from a yaml file of <c>key: value</c> scalars (such as a run's args.yaml).</summary>
    public void ApplyYaml(string path)
    {
        foreach (var (key, value) in FlatYaml.ReadScalars(path)) Set(key, value, $"{path}");
    }

    /// <summary>Reads settings from yaml text (such as the args stored inside a checkpoint).</summary>
    public void ApplyYamlText(string yaml, string origin)
    {
        foreach (var (key, value) in FlatYaml.ReadScalarsFromText(yaml, origin)) Set(key, value, origin);
    }

    /// <summary>All settings in schema order as yaml, the format of a run's args.yaml.</summary>
    public string ToYaml() => FlatYaml.Write(ConfigSchema.Keys.Select(k => (k.Name, k.Read(this))));

    /// <summary>A value as it appears in args.yaml (strings quoted where yaml needs it), for tables and help.</summary>
    public static string FormatValue(object? v) => FlatYaml.FormatScalar(v);

    /// <summary>Settings whose values differ between two configs, in schema order.</summary>
    public IReadOnlyList<(ConfigKey Key, object? Mine, object? Theirs)> Differences(ForgeConfig other)
    {
        var list = new List<(ConfigKey, object?, object?)>();
        foreach (var k in ConfigSchema.Keys)
            if (!Equals(k.Read(this), k.Read(other))) list.Add((k, k.Read(this), k.Read(other)));
        return list;
    }

    /// <summary>NMS for validation (conf= or 0.001, every class above it per box, as Ultralytics' validator), with iou= and max_det=.
    /// Class-agnostic with agnostic_nms=true or single_cls=true (as Ultralytics' DetectionValidator). classes= keeps only those
    /// classes' detections (validation keeps only their labels too, so metrics are about those classes alone); with single_cls
    /// the model has one class, and classes= only selects labels.</summary>
    public NmsOptions ValidationNms() => new((float)(Conf ?? 0.001), (float)Iou, MaxDet, MultiLabel: true, ClassAgnostic: AgnosticNms || SingleCls,
                                            Classes: SingleCls ? null : ClassIds());

    /// <summary>NMS for prediction (conf= or 0.25, the best class per box), with iou=, max_det=, agnostic_nms= and classes=.</summary>
    public NmsOptions PredictionNms() => new((float)(Conf ?? 0.25), (float)Iou, MaxDet, ClassAgnostic: AgnosticNms, Classes: ClassIds());

    /// <summary>The resolved global batch (batch=N). Auto batch (-1 or a fraction) is resolved by the trainer before anything reads it.</summary>
    /// <exception cref="InvalidOperationException">batch is still auto.</exception>
    public int Batch => AutoBatch
        ? throw new InvalidOperationException($"batch={FormatValue(BatchSetting)} (auto) has not been resolved to a number of images yet")
        : (int)BatchSetting;

    /// <summary>batch=-1 or 0 &lt; batch &lt; 1: choose the batch from the device's memory.</summary>
    public bool AutoBatch => BatchSetting == -1 || BatchSetting is > 0 and < 1;

    /// <summary>The share of device memory auto batch may fill: batch= itself when a fraction, 0.6 for -1 (Ultralytics' default).</summary>
    public double AutoBatchFraction => BatchSetting is > 0 and < 1 ? BatchSetting : 0.6;

    /// <summary>cache=ram or cache=true: decoded images kept in memory.</summary>
    public bool CacheRam => Cache.Equals("ram", StringComparison.OrdinalIgnoreCase) || Cache.Equals("true", StringComparison.OrdinalIgnoreCase);

    /// <summary>cache=disk: decoded images written once as .npy beside the images and read from there.</summary>
    public bool CacheDisk => Cache.Equals("disk", StringComparison.OrdinalIgnoreCase);

    /// <summary>classes= as a set of class ids, or null for all classes.</summary>
    public IReadOnlySet<int>? ClassIds() => Classes is null ? null : IndexList(Classes).ToHashSet();

    /// <summary>
    /// The layer indices freeze= names: freeze=N is layers 0..N-1, a list names them (Ultralytics' trainer). Empty without freeze.
    /// </summary>
    public IReadOnlyList<int> FreezeLayers()
    {
        if (Freeze is null) return [];
        var list = IndexList(Freeze);
        bool isCount = !Freeze.Contains('[') && !Freeze.Contains(',');
        return isCount ? Enumerable.Range(0, list[0]).ToList() : list;
    }

    /// <summary>device= as CUDA device indices: [] for cpu, [N] for cuda:N or N, [0, 1] for 0,1.</summary>
    public IReadOnlyList<int> CudaDevices() => ParseCudaDevices(Device);

    /// <summary>A device= value as CUDA device indices (see <see cref="CudaDevices"/>).</summary>
    public static IReadOnlyList<int> ParseCudaDevices(string device) => device switch
    {
        "cpu" => [],
        "cuda" => [0],
        _ when device.StartsWith("cuda:", StringComparison.Ordinal) => [int.Parse(device[5..], CultureInfo.InvariantCulture)],
        _ => IndexList(device),
    };

    static List<int> IndexList(string text) =>
        text.Trim('[', ']', ' ').Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => int.Parse(t, CultureInfo.InvariantCulture)).ToList();

    /// <summary>The AP definition validation reports (ap_method=; its declared choices are checked by <see cref="Validate"/>).</summary>
    /// <exception cref="ArgumentException">ap_method is not one of the choices (settings not validated).</exception>
    public Metrics.ApMethod ValidationApMethod() => Metrics.ApMethods.Parse(ApMethod);

    /// <summary>Checks every setting against its declared rules; throws one <see cref="ConfigException"/> naming each offending key.</summary>
    public void Validate() =>
        ConfigSchema.ThrowIfAny(ConfigSchema.Keys.Select(k => k.Problem(k.Read(this))).OfType<string>().ToList());

    static ConfigKey Key(string key, string origin) =>
        ConfigSchema.TryGet(key, out var spec) ? spec : throw Unknown(key, origin);

    static ConfigException Unknown(string key, string origin)
    {
        if (UltralyticsSettings.Advice(key) is { } advice)
            return new ConfigException($"Ultralytics setting '{key}' is not supported by Forge ({origin}): {advice}");
        var hint = ConfigSchema.Suggest(key);
        return new ConfigException($"unknown setting '{key}' ({origin})" + (hint is null ? "; see 'forge help' for the list" : $"; did you mean '{hint}'?"));
    }

    static object? Parse(ConfigKey spec, string? raw, string origin)
    {
        string where = $"'{spec.Name}' ({origin})";
        if (raw is null || raw.Length == 0 || raw is "null" or "None" or "~")
        {
            if (spec.Nullable) return null;
            if (spec.Kind == ConfigValueKind.String) return raw ?? "";
            throw new ConfigException($"{where} needs a value");
        }
        raw = raw.Trim();
        if (raw.Length >= 2 && (raw[0] == '"' && raw[^1] == '"' || raw[0] == '\'' && raw[^1] == '\'')) raw = raw[1..^1];
        switch (spec.Kind)
        {
            case ConfigValueKind.Bool:
                if (KeyValueArguments.TryParseBool(raw, out bool b)) return b;
                throw new ConfigException($"{where} must be true or false, got '{raw}'");
            case ConfigValueKind.Int:
                if (KeyValueArguments.TryParseInt(raw, out int i)) return i;
                throw new ConfigException($"{where} must be an integer, got '{raw}'");
            case ConfigValueKind.Float:
                if (KeyValueArguments.TryParseDouble(raw, out double d)) return d;
                throw new ConfigException($"{where} must be a number, got '{raw}'");
            default:
                return raw;
        }
    }
}
