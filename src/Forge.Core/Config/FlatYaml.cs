using YamlDotNet.RepresentationModel;

namespace Forge.Core.Config;

/// <summary>Reads top-level scalar entries of a yaml mapping; writes scalars quoted only where yaml needs it.</summary>
public static class FlatYaml
{
    public static IEnumerable<(string Key, string? Value)> ReadScalars(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (IOException e) { throw new ConfigException($"{path}: cannot read ({e.Message})"); }
        return ReadScalarsFromText(text, path);
    }

    /// <param name="origin">Names the text's source in error messages.</param>
    public static IEnumerable<(string Key, string? Value)> ReadScalarsFromText(string text, string origin)
    {
        YamlStream stream = new();
        string path = origin;
        try
        {
            using var reader = new StringReader(text);
            stream.Load(reader);
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new ConfigException($"{path}:{e.Start.Line}: invalid yaml ({e.Message})");
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's scanner throws this (not YamlException) for some malformed input, e.g. an unclosed '[' at the end.
            throw new ConfigException($"{path}: invalid yaml ({e.Message})");
        }
        var result = new List<(string, string?)>();
        if (stream.Documents.Count == 0) return result;
        if (stream.Documents[0].RootNode is not YamlMappingNode map)
            throw new ConfigException($"{path}: expected a mapping of key: value settings");
        foreach (var (k, v) in map.Children)
        {
            var key = ((YamlScalarNode)k).Value ?? "";
            if (v is not YamlScalarNode scalar)
                throw new ConfigException($"{path}:{k.Start.Line}: setting '{key}' must be a single value");
            result.Add((key, scalar.Style is YamlDotNet.Core.ScalarStyle.Plain && scalar.Value is "null" or "~" or "" ? null : scalar.Value));
        }
        return result;
    }

    public static string QuoteIfNeeded(string s)
    {
        // A leading '-' or '?' would start a sequence entry or a complex key ("- x", "?"), which yaml rejects in a mapping value.
        bool plain = s.Length > 0 && !char.IsWhiteSpace(s[0]) && !char.IsWhiteSpace(s[^1]) && s[0] is not ('-' or '?')
                     && s.IndexOfAny([':', '#', '\'', '"', '{', '}', '[', ']', ',', '&', '*', '!', '|', '>', '%', '@', '`']) < 0
                     && s is not ("null" or "true" or "false" or "~" or "yes" or "no")
                     && !double.TryParse(s, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _);
        return plain ? s : "'" + s.Replace("'", "''") + "'";
    }
}
