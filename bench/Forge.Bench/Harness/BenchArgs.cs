using Forge.Core.Config;

namespace Forge.Bench.Harness;

/// <summary>
/// The key=value settings of one benchmark run, read with the CLI's parser (<see cref="KeyValueArguments"/>). Keys are
/// checked against what the benchmark declares, so a misspelt key is an error naming the closest valid one instead of
/// being silently ignored; values fall back to the declared defaults.
/// </summary>
public sealed class BenchArgs
{
    readonly Dictionary<string, BenchKey> keys;
    readonly Dictionary<string, string> given;

    public BenchArgs(string benchmark, IEnumerable<BenchKey> declared, IEnumerable<string> arguments)
    {
        keys = declared.ToDictionary(k => k.Name, StringComparer.Ordinal);
        given = new Dictionary<string, string>(StringComparer.Ordinal);
        IReadOnlyList<(string Key, string Value)> pairs;
        try { pairs = KeyValueArguments.Parse(arguments, $"run 'forge-bench help {benchmark}' for its keys"); }
        catch (ConfigException e) { throw new BenchUsageException($"{benchmark}: {e.Message}"); }
        foreach (var (key, value) in pairs)
        {
            if (!keys.ContainsKey(key))
            {
                string hint = KeyValueArguments.Closest(key, keys.Keys) is { } c ? $" (did you mean '{c}'?)" : "";
                throw new BenchUsageException($"{benchmark}: unknown key '{key}'{hint}; valid keys: {string.Join(", ", keys.Keys)}");
            }
            if (keys[key].Choices is { } choices && !choices.Contains(value, StringComparer.OrdinalIgnoreCase))
                throw new BenchUsageException($"{benchmark}: {key}={value}: use {string.Join(", ", choices.SkipLast(1))} or {choices[^1]}");
            given[key] = value;
        }
    }

    /// <summary>The settings in effect, for the report header.</summary>
    public string Describe() => string.Join(' ', keys.Values.Select(k => $"{k.Name}={Raw(k.Name)}"));

    public bool IsGiven(string key) => given.ContainsKey(key);

    public string Raw(string key)
    {
        if (given.TryGetValue(key, out var v)) return v;
        if (keys.TryGetValue(key, out var k)) return k.Default;
        throw new InvalidOperationException($"benchmark reads undeclared key '{key}'");
    }

    public string String(string key) => Raw(key);

    public int Int(string key)
    {
        var raw = Raw(key);
        return KeyValueArguments.TryParseInt(raw, out int v) ? v : throw new BenchUsageException($"{key}={raw}: expected a whole number");
    }

    public double Double(string key)
    {
        var raw = Raw(key);
        return KeyValueArguments.TryParseDouble(raw, out double v) ? v : throw new BenchUsageException($"{key}={raw}: expected a number");
    }

    public bool Bool(string key)
    {
        var raw = Raw(key);
        return KeyValueArguments.TryParseBool(raw, out bool v) ? v : throw new BenchUsageException($"{key}={raw}: expected true or false");
    }

    /// <summary>A comma-separated list of whole numbers ≥ 0 (e.g. <c>batch=1,4,16</c>).</summary>
    public int[] Ints(string key)
    {
        var parts = List(key);
        var result = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!KeyValueArguments.TryParseInt(parts[i], out result[i]) || result[i] < 0)
                throw new BenchUsageException($"{key}={Raw(key)}: '{parts[i]}' is not a whole number (give a comma-separated list such as 1,4,16)");
        return result;
    }

    public string[] List(string key)
    {
        var parts = Raw(key).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts.Length > 0 ? parts : throw new BenchUsageException($"{key}: give at least one value");
    }
}
