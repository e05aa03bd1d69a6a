using System.Globalization;
using System.Text;

namespace Forge.Core.Config;

/// <summary>
/// The resolved settings of one train / val / predict job. Built from defaults, then an optional cfg yaml, then
/// command-line <c>key=value</c> pairs; every value is typed and checked against <see cref="ConfigSchema"/>.
/// </summary>
public sealed class ForgeConfig
{
    readonly Dictionary<string, object?> _values = new(StringComparer.Ordinal);
    readonly HashSet<string> _explicit = new(StringComparer.Ordinal);

    public ForgeConfig()
    {
        foreach (var k in ConfigSchema.Keys) _values[k.Name] = k.Default;
    }

    public ForgeConfig Clone()
    {
        var c = new ForgeConfig();
        foreach (var (k, v) in _values) c._values[k] = v;
        c._explicit.UnionWith(_explicit);
        return c;
    }

    // Typed accessors for the settings the code reads.
    public string Data => GetString("data")!;
    public string Model => GetString("model")!;
    public string Project => GetString("project")!;
    public string? Name => GetString("name");
    public bool ExistOk => GetBool("exist_ok");
    public string Device => GetString("device")!;
    public int Workers => GetInt("workers");
    public int Seed => GetInt("seed");
    public bool Deterministic => GetBool("deterministic");
    public int Threads => GetInt("threads");
    public int Epochs => GetInt("epochs");
    public int Patience => GetInt("patience");
    public int Batch => GetInt("batch");
    public int ImgSize => GetInt("imgsz");
    public int NominalBatch => GetInt("nbs");
    public string Optimizer => GetString("optimizer")!;
    public double Lr0 => GetFloat("lr0");
    public double Lrf => GetFloat("lrf");
    public double Momentum => GetFloat("momentum");
    public double WeightDecay => GetFloat("weight_decay");
    public double WarmupEpochs => GetFloat("warmup_epochs");
    public double WarmupMomentum => GetFloat("warmup_momentum");
    public double WarmupBiasLr => GetFloat("warmup_bias_lr");
    public bool CosLr => GetBool("cos_lr");
    public double MaxNorm => GetFloat("max_norm");
    public int CloseMosaic => GetInt("close_mosaic");
    public bool Amp => GetBool("amp");
    public bool Cache => GetBool("cache");
    public double BoxGain => GetFloat("box");
    public double ClsGain => GetFloat("cls");
    public double DflGain => GetFloat("dfl");
    public bool Val => GetBool("val");
    public string Split => GetString("split")!;
    public double? Conf => _values["conf"] is double d ? d : null;
    public double Iou => GetFloat("iou");
    public int MaxDet => GetInt("max_det");
    public string? Source => GetString("source");
    public bool SaveTxt => GetBool("save_txt");
    public bool SaveJson => GetBool("save_json");
    public bool Save => GetBool("save");
    public int SavePeriod => GetInt("save_period");
    public bool Plots => GetBool("plots");
    public bool Verbose => GetBool("verbose");
    public string Format => GetString("format")!;
    public int Opset => GetInt("opset");
    public bool Dynamic => GetBool("dynamic");
    public bool Rect => GetBool("rect");
    public int VidStride => GetInt("vid_stride");
    public string ApMethod => GetString("ap_method")!;
    public string? Resume => GetString("resume");
    public bool ResumeForce => GetBool("resume_force");
    public int SavePeriodSteps => GetInt("save_period_steps");
    public int Keep => GetInt("keep");
    public int NProc => GetInt("nproc");
    public bool SyncBn => GetBool("sync_bn");
    public double BucketMb => GetFloat("bucket_mb");

    public object? this[string key]
    {
        get => _values.TryGetValue(key, out var v) ? v : throw Unknown(key, "config");
    }

    public bool GetBool(string key) => (bool)this[key]!;
    public int GetInt(string key) => (int)this[key]!;
    public double GetFloat(string key) => (double)this[key]!;
    public string? GetString(string key) => (string?)this[key];

    /// <summary>Sets one setting from text, as typed on a command line or read from yaml. <paramref name="origin"/> names where it came from for errors.</summary>
    public void Set(string key, string? raw, string origin = "command line")
    {
        if (!ConfigSchema.TryGet(key, out var spec)) throw Unknown(key, origin);
        _values[key] = Parse(spec, raw, origin);
        _explicit.Add(key);
    }

    /// <summary>True when the setting was given (command line, yaml or code) rather than left at its default.</summary>
    public bool IsSet(string key) => _explicit.Contains(key);

    /// <summary>Sets a typed value (for code, e.g. the demo's defaults).</summary>
    public ForgeConfig With(string key, object? value)
    {
        if (!ConfigSchema.TryGet(key, out var spec)) throw Unknown(key, "code");
        _values[key] = Parse(spec, value is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : value?.ToString(), "code");
        _explicit.Add(key);
        return this;
    }

    /// <summary>Applies <c>key=value</c> arguments; a bare word that is not key=value is an error naming it.</summary>
    public void ApplyArguments(IEnumerable<string> args)
    {
        foreach (var (key, value) in KeyValueArguments.Parse(args, "for example epochs=30; see 'forge help'")) Set(key, value);
    }

    static ConfigException Unknown(string key, string origin)
    {
        var hint = ConfigSchema.Suggest(key);
        return new ConfigException($"unknown setting '{key}' ({origin})" + (hint is null ? "; see 'forge help' for the list" : $"; did you mean '{hint}'?"));
    }

    static object? Parse(ConfigKey spec, string? raw, string origin)
    {
        string where = $"'{spec.Name}' ({origin})";
        if (raw is null || raw.Length == 0 || raw is "null" or "None" or "~")
        {
            if (spec.Nullable || spec.Kind == ConfigValueKind.String) return spec.Kind == ConfigValueKind.String && !spec.Nullable ? (raw ?? "") : null;
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
    public string ToYaml()
    {
        var sb = new StringBuilder();
        foreach (var k in ConfigSchema.Keys) sb.Append(k.Name).Append(": ").Append(FormatValue(_values[k.Name])).Append('\n');
        return sb.ToString();
    }

    public static string FormatValue(object? v) => v switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        int i => i.ToString(CultureInfo.InvariantCulture),
        string s => FlatYaml.QuoteIfNeeded(s),
        _ => v.ToString() ?? "null",
    };

    /// <summary>Settings whose values differ between two configs, in schema order.</summary>
    public IReadOnlyList<(ConfigKey Key, object? Mine, object? Theirs)> Differences(ForgeConfig other)
    {
        var list = new List<(ConfigKey, object?, object?)>();
        foreach (var k in ConfigSchema.Keys)
            if (!Equals(_values[k.Name], other._values[k.Name])) list.Add((k, _values[k.Name], other._values[k.Name]));
        return list;
    }

    /// <summary>Checks ranges and combinations; throws <see cref="ConfigException"/> naming the setting.</summary>
    public void Validate()
    {
        if (Epochs < 1) throw new ConfigException($"'epochs' must be >= 1, got {Epochs}");
        if (Batch < 1) throw new ConfigException($"'batch' must be >= 1, got {Batch}");
        if (ImgSize < 32 || ImgSize % 32 != 0) throw new ConfigException($"'imgsz' must be a multiple of 32 and >= 32, got {ImgSize}");
        if (Workers < 0) throw new ConfigException($"'workers' must be >= 0, got {Workers}");
        if (NProc < 1) throw new ConfigException($"'nproc' must be >= 1, got {NProc}");
        if (SavePeriodSteps < 0) throw new ConfigException($"'save_period_steps' must be >= 0, got {SavePeriodSteps}");
        if (BucketMb <= 0) throw new ConfigException($"'bucket_mb' must be positive, got {BucketMb}");
        if (Iou <= 0 || Iou > 1) throw new ConfigException($"'iou' must be in (0, 1], got {Iou}");
        if (Conf is { } c && (c < 0 || c > 1)) throw new ConfigException($"'conf' must be in [0, 1], got {c}");
        var opt = Optimizer.ToLowerInvariant();
        if (opt is not ("auto" or "sgd" or "adamw")) throw new ConfigException($"'optimizer' must be SGD, AdamW or auto, got '{Optimizer}'");
        if (GetFloat("perspective") != 0) throw new ConfigException("'perspective' other than 0 is not supported; use degrees/shear/scale/translate");
        if (!(Device == "cpu" || Device == "cuda" || Device.StartsWith("cuda:", StringComparison.Ordinal)))
            throw new ConfigException($"'device' must be cpu, cuda or cuda:N, got '{Device}'");
    }
}
