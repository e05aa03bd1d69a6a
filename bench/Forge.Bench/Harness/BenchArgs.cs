using System.Globalization;

namespace Forge.Bench.Harness;

/// <summary>
/// The key=value settings of one benchmark run. Keys are checked against what the benchmark declares, so a misspelt key is
/// an error naming the closest valid one instead of being silently ignored; values fall back to the declared defaults.
/// </summary>
public sealed class BenchArgs
{
    readonly Dictionary<string, BenchKey> keys;
    readonly Dictionary<string, string> given;

    public BenchArgs(string benchmark, IEnumerable<BenchKey> declared, IEnumerable<string> arguments)
    {
        keys = declared.ToDictionary(k => k.Name, StringComparer.Ordinal);
        given = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var a in arguments)
        {
            int eq = a.IndexOf('=');
            if (eq <= 0) throw new BenchUsageException($"{benchmark}: '{a}' is not key=value; run 'forge-bench help {benchmark}' for its keys");
            string key = a[..eq].Trim().ToLowerInvariant(), value = a[(eq + 1)..].Trim();
            if (!keys.ContainsKey(key))
            {
                string hint = Closest(key) is { } c ? $" (did you mean '{c}'?)" : "";
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
        return int.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v)
            ? v : throw new BenchUsageException($"{key}={raw}: expected a whole number");
    }

    public double Double(string key)
    {
        var raw = Raw(key);
        return double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)
            ? v : throw new BenchUsageException($"{key}={raw}: expected a number");
    }

    public bool Bool(string key) => Raw(key).ToLowerInvariant() switch
    {
        "true" or "1" or "yes" or "on" => true,
        "false" or "0" or "no" or "off" => false,
        var raw => throw new BenchUsageException($"{key}={raw}: expected true or false"),
    };

    public int[] Ints(string key)
    {
        var parts = List(key);
        var result = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out result[i]))
                throw new BenchUsageException($"{key}={Raw(key)}: '{parts[i]}' is not a whole number (give a comma-separated list such as 1,4,16)");
        return result;
    }

    public string[] List(string key)
    {
        var parts = Raw(key).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts.Length > 0 ? parts : throw new BenchUsageException($"{key}: give at least one value");
    }

    /// <summary>The declared key nearest to a misspelling (edit distance at most 2).</summary>
    string? Closest(string key)
    {
        string? best = null;
        int bestDistance = 3;
        foreach (var k in keys.Keys)
        {
            int d = EditDistance(key, k);
            if (d < bestDistance) (best, bestDistance) = (k, d);
        }
        return best;
    }

    static int EditDistance(string a, string b)
    {
        var row = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) row[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int up = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = up;
            }
        }
        return row[b.Length];
    }
}
