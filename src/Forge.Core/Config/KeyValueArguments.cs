using System.Globalization;

namespace Forge.Core.Config;

/// <summary>
/// The <c>key=value</c> argument syntax of <c>forge</c> and <c>forge-bench</c> (Ultralytics' <c>yolo train epochs=3</c>):
/// splitting arguments, reading typed values, and suggesting the nearest valid key for a misspelt one.
/// </summary>
public static class KeyValueArguments
{
    /// <summary>
    /// Splits each argument at its first '=' (the value may hold more). The key is trimmed, leading dashes are dropped and
    /// inner dashes become underscores (<c>--cos-lr=true</c> is <c>cos_lr=true</c>); the value is trimmed.
    /// </summary>
    /// <param name="help">What to do about a malformed argument, appended to the error (e.g. "see 'forge help'").</param>
    /// <exception cref="ConfigException">An argument has no '=' or no key; the message quotes it.</exception>
    public static IReadOnlyList<(string Key, string Value)> Parse(IEnumerable<string> arguments, string help)
    {
        var pairs = new List<(string, string)>();
        foreach (var arg in arguments)
        {
            int eq = arg.IndexOf('=');
            string key = eq < 0 ? "" : arg[..eq].Trim().TrimStart('-').Replace('-', '_');
            if (key.Length == 0) throw new ConfigException($"argument '{arg}' is not of the form key=value; {help}");
            pairs.Add((key, arg[(eq + 1)..].Trim()));
        }
        return pairs;
    }

    /// <summary>true/false, 1/0, yes/no, on/off in any case.</summary>
    public static bool TryParseBool(string raw, out bool value)
    {
        switch (raw.Trim().ToLowerInvariant())
        {
            case "true" or "1" or "yes" or "on": value = true; return true;
            case "false" or "0" or "no" or "off": value = false; return true;
            default: value = false; return false;
        }
    }

    /// <summary>A whole number, also when written as a float without fraction (<c>3.0</c>, <c>1e2</c>); invariant culture.</summary>
    public static bool TryParseInt(string raw, out int value)
    {
        if (int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out value)) return true;
        if (double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && d == Math.Floor(d) && Math.Abs(d) < int.MaxValue)
        {
            value = (int)d;
            return true;
        }
        value = 0;
        return false;
    }

    /// <summary>A finite number in invariant culture (<c>0.01</c>, <c>1e-3</c>); NaN and infinities are refused.</summary>
    public static bool TryParseDouble(string raw, out double value) =>
        double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    /// <summary>
    /// The candidate nearest to <paramref name="key"/> by edit distance, compared case-insensitively, when it is within
    /// max(2, length/3) edits; otherwise null.
    /// </summary>
    public static string? Closest(string key, IEnumerable<string> candidates)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        string lower = key.ToLowerInvariant();
        foreach (var c in candidates)
        {
            int d = EditDistance(lower, c.ToLowerInvariant());
            if (d < bestDistance) (best, bestDistance) = (c, d);
        }
        return bestDistance <= Math.Max(2, key.Length / 3) ? best : null;
    }

    /// <summary>Levenshtein distance: insertions, deletions and substitutions of one character each cost 1.</summary>
    public static int EditDistance(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) prev[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }
}
