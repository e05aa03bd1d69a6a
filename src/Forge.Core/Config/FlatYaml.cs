using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Forge.Core.Config;

/// <summary>
/// Flat yaml mappings of scalars (args.yaml, cfg= files, the settings stored in checkpoints), read and written with YamlDotNet.
/// </summary>
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
        catch (YamlException e)
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
            result.Add((key, scalar.Style is ScalarStyle.Plain && scalar.Value is "null" or "~" or "" ? null : scalar.Value));
        }
        return result;
    }

    /// <summary>
    /// A block mapping of <paramref name="entries"/> in the given order, one <c>key: value</c> line each: null, bools and numbers
    /// plain (doubles with round-trip precision), strings plain where yaml reads them back as the same string, quoted otherwise.
    /// </summary>
    public static string Write(IEnumerable<(string Key, object? Value)> entries)
    {
        var text = new StringWriter { NewLine = "\n" };
        var emitter = new Emitter(text, new EmitterSettings().WithBestWidth(int.MaxValue));
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart(null, null, isImplicit: true));
        emitter.Emit(new MappingStart(null, null, isImplicit: true, MappingStyle.Block));
        foreach (var (key, value) in entries)
        {
            emitter.Emit(Scalar(key));
            emitter.Emit(Scalar(value));
        }
        emitter.Emit(new MappingEnd());
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return text.ToString();
    }

    /// <summary>One value as <see cref="Write"/> writes it ("0.1", "true", "null", "'a: b'").</summary>
    public static string FormatScalar(object? value)
    {
        var line = Write([("k", value)]);
        return line["k: ".Length..].TrimEnd('\n');
    }

    static Scalar Scalar(object? value) => value switch
    {
        null => Plain("null"),
        bool b => Plain(b ? "true" : "false"),
        int i => Plain(i.ToString(CultureInfo.InvariantCulture)),
        double d => Plain(d.ToString("R", CultureInfo.InvariantCulture)),
        string s when ReadsAsAnotherType(s) => new Scalar(null, null, s, ScalarStyle.SingleQuoted, isPlainImplicit: false, isQuotedImplicit: true),
        string s => new Scalar(null, null, s, ScalarStyle.Any, isPlainImplicit: true, isQuotedImplicit: true),
        _ => throw new ArgumentException($"cannot write a {value.GetType().Name} as a yaml scalar"),
    };

    static Scalar Plain(string text) => new(null, null, text, ScalarStyle.Plain, isPlainImplicit: true, isQuotedImplicit: false);

    // The emitter chooses quotes for yaml syntax; it cannot know that a plain 'null', 'true' or '0.5' would be read back as
    // a null, bool or number instead of a string.
    static bool ReadsAsAnotherType(string s) =>
        s is "" or "~" || s.ToLowerInvariant() is "null" or "true" or "false" or "yes" or "no" or "on" or "off"
        || double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
}
